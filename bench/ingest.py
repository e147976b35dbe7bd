"""Benchmark: the hub's MQTT ingest under load, through a real Mosquitto.

N simulated devices publish signed attendance events (QoS 1) for a fixed time. In the same
run a subscriber that does nothing counts the same messages through the same broker (the
raw rate). The hub's ingest runs as its own process(es) (``smartcare-hub ingest``); the
committed rate is read from the database. At the end every published event must be in the
database exactly once.

Targets (issue 3): at least 2,000 events/s committed and at least 50% of the raw rate;
zero lost, zero duplicated.

    .venv/bin/python bench/ingest.py [--devices 20] [--seconds 60] [--rate 3000]
                                     [--workers 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import free_port, progress, start_mosquitto  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def prepare(database_url: str, devices: int):
    """Schema, staff and devices; answers (device keys as PEM, staff codes)."""
    os.environ["SMARTCARE_DATABASE_URL"] = database_url
    from hub import create_app
    from hub.auth.models import User
    from hub.devices.models import Device
    from hub.extensions import db
    from hub.staff.models import StaffProfile
    from protocol import generate_key, key_id, private_key_pem, public_key_b64

    app = create_app()
    keys = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(
            db.insert(User),
            [
                {
                    "email": f"s{i}@bench",
                    "name": f"Staff {i}",
                    "role": "asha",
                    "status": "active",
                    "password_hash": "x",
                    "session_version": 1,
                }
                for i in range(50)
            ],
        )
        ids = db.session.scalars(db.select(User.id).order_by(User.id)).all()
        db.session.execute(
            db.insert(StaffProfile),
            [{"user_id": uid, "staff_code": f"ASHA-{n:04d}"} for n, uid in enumerate(ids)],
        )
        for d in range(devices):
            key = generate_key()
            keys.append(private_key_pem(key))
            db.session.add(
                Device(
                    device_id=f"bench-{d:03d}",
                    site_id="phc-main",
                    public_key=public_key_b64(key),
                    key_id=key_id(key),
                )
            )
        db.session.commit()
        db.engine.dispose()
    return keys, [f"ASHA-{n:04d}" for n in range(50)]


def publisher(
    port: int,
    keys: list[bytes],
    staff: list[str],
    rate: float,
    seconds: float,
    ready,
    go,
    published,
) -> None:
    import paho.mqtt.client as mqtt
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from protocol import canonical_json, format_ts, sign_envelope, topics

    private = [load_pem_private_key(k, None) for k in keys]
    total = int(rate * seconds)
    messages = []
    now = format_ts(datetime.now(UTC))
    for n in range(total):
        d = n % len(private)
        payload = {
            "v": 1,
            "type": "attendance",
            "event_id": str(uuid.uuid4()),
            "device_id": f"bench-{d:03d}",
            "seq": n // len(private) + 1,
            "ts": now,
            "staff_id": staff[n % len(staff)],
            "direction": "auto",
            "score": 0.7,
            "liveness": 0.9,
            "model": "dlib-resnet-v1",
        }
        messages.append(
            (
                topics.attendance(payload["device_id"]),
                canonical_json(sign_envelope(payload, private[d])),
            )
        )
        if n % 5000 == 0:
            progress("signing events", n, total)
    progress("signing events", total, total)
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id="bench-publisher",
        protocol=mqtt.MQTTv5,
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    ready.set()
    go.wait()
    start = time.monotonic()
    infos = []
    for n, (topic, body) in enumerate(messages):
        infos.append(client.publish(topic, body, qos=1))
        delay = start + (n + 1) / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    deadline = time.monotonic() + 300
    for info in infos:  # every message acknowledged by the broker (or give up in 5 min)
        info.wait_for_publish(max(0.1, deadline - time.monotonic()))
    published.value = sum(1 for i in infos if i.is_published())
    client.disconnect()
    client.loop_stop()


def null_subscriber(port: int, ready, stop, counts) -> None:
    import paho.mqtt.client as mqtt

    from protocol import topics

    state = {"n": 0, "first": None, "last": None}

    def on_message(client, userdata, message):
        now = time.monotonic()
        state["first"] = state["first"] or now
        state["last"] = now
        state["n"] += 1

    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id="bench-null",
        protocol=mqtt.MQTTv5,
    )
    client.on_message = on_message
    client.on_connect = lambda c, u, f, rc, p: (
        c.subscribe(topics.ATTENDANCE_FILTER, 1),
        ready.set(),
    )
    client.connect("127.0.0.1", port)
    client.loop_start()
    stop.wait()
    client.loop_stop()
    counts["n"] = state["n"]
    counts["span"] = (state["last"] or 0) - (state["first"] or 0)


def committed(database_url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        n, distinct = conn.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM attendance_events")
        ).one()
    engine.dispose()
    return n, distinct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=3000, help="events/s offered")
    parser.add_argument("--workers", type=int, default=1, help="ingest processes (shared sub)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="smartcare-ingest-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    keys, staff = prepare(url, args.devices)
    port = free_port()
    broker = start_mosquitto(tmp / "broker", port)
    ctx = mp.get_context("spawn")
    env = dict(
        os.environ,
        SMARTCARE_DATABASE_URL=url,
        SMARTCARE_SECRET_KEY="bench",
        SMARTCARE_MQTT_URL=f"mqtt://127.0.0.1:{port}",
        SMARTCARE_HUB_KEY_FILE=str(tmp / "hub.pem"),
        PYTHONPATH=str(ROOT),
        SMARTCARE_MQTT_SHARED="true" if args.workers > 1 else "false",
    )
    ingests = [
        subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "ingest"],
            env=dict(env, SMARTCARE_MQTT_CLIENT_ID=f"bench-ingest-{i}"),
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / f"ingest{i}.log", "w"),
        )  # noqa: SIM115
        for i in range(args.workers)
    ]
    manager = ctx.Manager()
    counts = manager.dict()
    ready_pub, ready_sub, go, stop = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Event()
    published = ctx.Value("i", 0)
    sub = ctx.Process(target=null_subscriber, args=(port, ready_sub, stop, counts))
    pub = ctx.Process(
        target=publisher,
        args=(port, keys, staff, args.rate, args.seconds, ready_pub, go, published),
    )
    sub.start()
    pub.start()
    try:
        ready_sub.wait(60)
        ready_pub.wait(600)
        time.sleep(3)  # the ingest processes have subscribed by now
        total = int(args.rate * args.seconds)
        go.set()
        t0 = time.monotonic()
        samples = []
        while pub.is_alive() and time.monotonic() - t0 < args.seconds + 120:
            time.sleep(1)
            n, _ = committed(url)
            samples.append((time.monotonic() - t0, n))
            progress("committed", min(n, total), total)
        pub.join(600)  # the publisher has had the broker's PUBACK for everything it sent
        publish_end = time.monotonic() - t0
        window_committed = committed(url)[0]
        drain_deadline = time.monotonic() + 120
        while time.monotonic() < drain_deadline:
            n, _ = committed(url)
            if n >= published.value:
                break
            time.sleep(0.5)
        drained_at = time.monotonic() - t0
        n, distinct = committed(url)
        stop.set()
        sub.join(10)
    finally:
        for proc in ingests:
            proc.terminate()
            proc.wait(15)
        broker.terminate()
        broker.wait(10)
    raw_rate = counts.get("n", 0) / counts["span"] if counts.get("span") else float("nan")
    sustained = n / drained_at
    print(
        f"\ningest: {args.devices} devices, offered {args.rate:.0f} events/s for "
        f"{args.seconds:.0f} s, {args.workers} ingest process(es), database "
        f"{url.split(':')[0]}"
    )
    print(
        f"  published {published.value} of {total}; null subscriber got {counts.get('n')} "
        f"at {raw_rate:.0f} events/s (raw rate)"
    )
    print(
        f"  committed {n} rows ({distinct} distinct): {sustained:.0f} events/s sustained "
        f"(all committed {drained_at:.1f} s after the start; {window_committed} by the end "
        f"of publishing at {publish_end:.1f} s)"
    )
    lost, dup = published.value - distinct, n - distinct
    print(f"  lost {lost}, duplicated {dup}; committed/raw = {sustained / raw_rate:.0%}")
    ok = sustained >= 2000 and sustained >= 0.5 * raw_rate and lost == 0 and dup == 0
    print(
        f"  targets (>= 2000/s, >= 50% of raw, none lost or duplicated): "
        f"{'MET' if ok else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
