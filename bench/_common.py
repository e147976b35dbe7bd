"""Helpers shared by the benchmark scripts: percentiles, progress, free ports, waiting."""

from __future__ import annotations

import socket
import statistics
import sys
import time
import urllib.request

from hub.broker import free_port  # noqa: F401  (re-exported for the benchmarks)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"n={len(ms)} p50={percentile(ms, 50):.1f} ms p95={percentile(ms, 95):.1f} ms "
        f"p99={percentile(ms, 99):.1f} ms mean={statistics.fmean(ms):.1f} ms"
    )


def progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_mosquitto(folder, port: int):
    """A private Mosquitto for a benchmark (persistence on, queues unlimited)."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
        f"persistence_location {folder}/\nmax_queued_messages 0\n"
        "max_inflight_messages 0\n" + ("user root\n" if os.geteuid() == 0 else "")
    )
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen(
        [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if time.monotonic() > deadline:
            raise RuntimeError("mosquitto did not start")
        time.sleep(0.05)


def start_hub(database_url: str, folder, workers: int = 2, threads: int = 4):
    """The hub under gunicorn (``smartcare-hub run``, no ingest) on a free port; answers
    (process, base URL) once it serves."""
    import os
    import subprocess

    port = free_port()
    env = dict(
        os.environ,
        SMARTCARE_DATABASE_URL=database_url,
        SMARTCARE_SECRET_KEY="bench",
        SMARTCARE_UPLOAD_DIR=str(folder / "uploads"),
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hub.cli",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],  # fmt: skip
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/v1/openapi.json")
    except RuntimeError:
        server.terminate()
        raise
    return server, base


def patient_rows(rng, count: int, seen: set[str], *, name, max_age_days: int, areas: int):
    """``count`` new patients for a bulk insert: unique health IDs (added to ``seen``),
    a name from ``name(rng)``, an age up to ``max_age_days``, one of ``areas`` wards."""
    from datetime import date, timedelta

    from hub.patients import health_id as hid

    today = date.today()
    rows = []
    for _ in range(count):
        value = hid.generate()
        while value in seen:
            value = hid.generate()
        seen.add(value)
        rows.append(
            {
                "health_id": value,
                "name": name(rng),
                "date_of_birth": today - timedelta(days=rng.randint(0, max_age_days)),
                "sex": rng.choice(["female", "male"]),
                "area": f"Ward {rng.randint(1, areas)}",
            }
        )
    return rows
