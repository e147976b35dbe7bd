# SmartCare hub (web, ingest, scheduler) and the simulated kiosk: one image.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY faces ./faces
COPY protocol ./protocol
COPY edge_device ./edge_device
COPY provisioning ./provisioning
COPY firmware_config ./firmware_config
RUN pip install --upgrade pip && pip install ".[hub,edge]"
# a fixed uid, so that secrets mounted from the host can be given to it (see README)
RUN useradd --system --uid 10001 --home /app smartcare \
    && mkdir -p /data /var/lib/smartcare-kiosk \
    && chown smartcare /data /var/lib/smartcare-kiosk
USER smartcare
ENV SMARTCARE_UPLOAD_DIR=/data/uploads
EXPOSE 5000
CMD ["smartcare-hub", "run", "--no-ingest", "--host", "0.0.0.0", "--port", "5000"]
