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
RUN useradd --system --home /app smartcare && mkdir -p /data && chown smartcare /data
USER smartcare
ENV SMARTCARE_UPLOAD_DIR=/data/uploads
EXPOSE 5000
CMD ["smartcare-hub", "run", "--no-ingest", "--host", "0.0.0.0", "--port", "5000"]
