"""Exactly once, whatever fails: kill -9 the kiosk mid-stream, kill -9 the hub's ingest
mid-ingest, restart the broker; every event the kiosk decided is in the hub once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

import pytest

from hub.attendance.models import AttendanceEvent
from hub.extensions import db
from tests.e2e.conftest import PY, python_env, write_kiosk

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]
EVENTS = 600


def _hub_ids(app) -> list[str]:
    with app.app_context():
        ids = list(db.session.scalars(db.select(AttendanceEvent.event_id)))
        db.session.remove()
        return ids


def _kiosk_ids(outbox) -> list[str]:
    con = sqlite3.connect(outbox)
    try:
        return [r[0] for r in con.execute("SELECT event_id FROM decided")]
    finally:
        con.close()


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_exactly_once_across_crashes(app, tmp_path, broker, account):
    app.config.update(MQTT_URL=broker.url, HUB_KEY_FILE=str(tmp_path / "hub_key.pem"))
    staff = [account("asha").staff_code, account("phn").staff_code]
    config = write_kiosk(app, tmp_path / "kiosk", "kiosk-crash", broker.url)
    outbox = tmp_path / "kiosk" / "data" / "outbox.db"
    env = python_env(
        app, SMARTCARE_MQTT_URL=broker.url, SMARTCARE_MQTT_CLIENT_ID="ingest-crash-test"
    )
    ingest_cmd = [PY, "-m", "hub.cli", "ingest"]
    kiosk_cmd = [
        PY,
        "-m",
        "edge_device.cli",
        "simulate",
        "--config",
        str(config),
        "--events",
        str(EVENTS),
        "--rate",
        "150",
        "--drain-timeout",
        "90",
    ]
    for code in staff:
        kiosk_cmd += ["--staff", code]
    log = open(tmp_path / "processes.log", "ab")  # noqa: SIM115
    quiet = {"stdout": log, "stderr": log, "env": env}

    ingest = subprocess.Popen(ingest_cmd, **quiet)
    _wait_for(
        lambda: b"ingest connected" in (tmp_path / "processes.log").read_bytes(),
        30,
        "the ingest to subscribe",
    )
    kiosk = subprocess.Popen(kiosk_cmd, **quiet)
    try:
        _wait_for(
            lambda: outbox.exists() and len(_kiosk_ids(outbox)) > 100,
            30,
            "the kiosk's first 100 decisions",
        )
        kiosk.send_signal(signal.SIGKILL)  # power cut at the kiosk
        kiosk.wait(10)
        kiosk = subprocess.Popen(kiosk_cmd, **quiet)  # it comes back, outbox intact
        _wait_for(lambda: len(_hub_ids(app)) > 50, 30, "the hub's first events")
        _wait_for(lambda: len(_kiosk_ids(outbox)) > 300, 30, "more decisions")
        ingest.send_signal(signal.SIGKILL)  # the hub dies mid-ingest
        ingest.wait(10)
        time.sleep(1.0)
        ingest = subprocess.Popen(ingest_cmd, **quiet)
        _wait_for(lambda: len(_kiosk_ids(outbox)) > 450, 30, "decisions after the hub crash")
        broker.restart()  # and the broker restarts
        assert kiosk.wait(150) == 0, "the kiosk did not drain its outbox"
    finally:
        for proc in (kiosk, ingest):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(15)
        log.close()
    decided = _kiosk_ids(outbox)
    committed = _hub_ids(app)
    assert len(decided) == EVENTS
    assert len(committed) == len(set(committed))  # no duplicates
    assert sorted(committed) == sorted(decided)  # none lost, none invented


def test_two_ingest_processes_share_the_load(app, tmp_path, broker, account):
    app.config.update(MQTT_URL=broker.url, HUB_KEY_FILE=str(tmp_path / "hub_key.pem"))
    staff = account("asha").staff_code
    configs = [
        write_kiosk(app, tmp_path / f"kiosk{i}", f"kiosk-share-{i}", broker.url) for i in range(2)
    ]
    logs = [tmp_path / f"ingest{i}.log" for i in range(2)]
    ingests = []
    for i, log_path in enumerate(logs):
        env = python_env(
            app,
            SMARTCARE_MQTT_URL=broker.url,
            SMARTCARE_MQTT_SHARED="true",
            SMARTCARE_MQTT_CLIENT_ID=f"ingest-shared-{i}",
        )
        with open(log_path, "wb") as log:
            ingests.append(
                subprocess.Popen([PY, "-m", "hub.cli", "ingest"], env=env, stdout=log, stderr=log)
            )
    try:
        _wait_for(
            lambda: all(b"ingest connected" in p.read_bytes() for p in logs),
            30,
            "both ingest processes",
        )
        kiosks = [
            subprocess.run(
                [
                    PY,
                    "-m",
                    "edge_device.cli",
                    "simulate",
                    "--config",
                    str(c),
                    "--events",
                    "300",
                    "--rate",
                    "200",
                    "--staff",
                    staff,
                    "--drain-timeout",
                    "60",
                ],
                env=python_env(app),
                capture_output=True,
                timeout=120,
            )
            for c in configs
        ]
        assert [k.returncode for k in kiosks] == [0, 0]
    finally:
        for proc in ingests:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)
    committed = _hub_ids(app)
    decided = _kiosk_ids(tmp_path / "kiosk0" / "data" / "outbox.db") + _kiosk_ids(
        tmp_path / "kiosk1" / "data" / "outbox.db"
    )
    assert len(decided) == 600 and sorted(committed) == sorted(decided)
    per_process = [int(p.read_text().rsplit("ingest stopped: ", 1)[1].split()[0]) for p in logs]
    assert sum(per_process) == 600 and min(per_process) > 0, per_process
