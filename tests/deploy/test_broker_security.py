"""Broker security with a real Mosquitto started from the configuration that
``smartcare-provision`` generates: TLS only, per-device credentials and ACLs, and
revocation without restarting the broker."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from hub.devices.models import Device
from hub.extensions import db
from protocol import topics
from provisioning.cli import main as provision
from provisioning.pki import create_ca
from tests.mqtt_support import MOSQUITTO, free_port, port_open

pytestmark = pytest.mark.mqtt


class Conn:
    """A paho client that records what happened to it."""

    def __init__(
        self, user: str, password: str | None, port: int, ca: Path | None, tls: bool = True
    ) -> None:
        self.connected, self.failed = threading.Event(), threading.Event()
        self.reason = None
        self.messages: list[tuple[str, bytes]] = []
        self.subacks: list = []
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"{user}-{time.monotonic_ns()}",
            protocol=mqtt.MQTTv5,
        )
        if password is not None:
            self.client.username_pw_set(user, password)
        if tls:
            ctx = ssl.create_default_context(cafile=str(ca) if ca else None)
            self.client.tls_set_context(ctx)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, m: self.messages.append((m.topic, m.payload))
        self.client.on_subscribe = lambda c, u, mid, codes, p: self.subacks.extend(codes)
        self.error = None
        try:
            self.client.connect("127.0.0.1", port, keepalive=10)
            self.client.loop_start()
        except (OSError, ssl.SSLError) as exc:
            self.error = exc
            self.failed.set()

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        self.reason = reason_code
        (self.failed if reason_code.is_failure else self.connected).set()

    def wait(self, timeout=5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connected.is_set():
                return True
            if self.failed.is_set():
                return False
            time.sleep(0.05)
        return False

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:  # a refused connection leaves paho's socket open
            sock.close()


@pytest.fixture
def secured(app, tmp_path, monkeypatch):
    root = tmp_path / "prov"
    monkeypatch.setenv("SMARTCARE_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("SMARTCARE_HUB_KEY_FILE", str(root / "hub" / "hub_signing_key.pem"))
    assert (
        provision(
            [
                "--root",
                str(root),
                "ca",
                "init",
                "--broker-host",
                "localhost",
                "--broker-host",
                "127.0.0.1",
            ]
        )
        == 0
    )
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    assert (
        provision(
            [
                "--root",
                str(root),
                "broker",
                "config",
                "--out",
                str(conf),
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "data"),
                "--log-dest",
                f"file {tmp_path / 'mosquitto.log'}",
            ]
        )
        == 0
    )
    (tmp_path / "data").mkdir()
    text = conf.read_text()
    assert "allow_anonymous false" in text and "max_queued_messages 0" in text
    if os.geteuid() == 0:
        conf.write_text(text + "user root\n")
    broker = subprocess.Popen(
        [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while not port_open(port):
        assert broker.poll() is None and time.monotonic() < deadline, "mosquitto did not start"
        time.sleep(0.05)
    reload = f"kill -HUP {broker.pid}"
    bundles = {}
    for device, site in (("kiosk-a", "phc-main"), ("kiosk-b", "other-site")):
        out = tmp_path / device
        assert (
            provision(
                [
                    "--root",
                    str(root),
                    "device",
                    "create",
                    "--id",
                    device,
                    "--site",
                    site,
                    "--out",
                    str(out),
                    "--broker-host",
                    "127.0.0.1",
                    "--broker-port",
                    str(port),
                    "--broker-reload",
                    reload,
                ]
            )
            == 0
        )
        bundles[device] = out
    yield {
        "root": root,
        "port": port,
        "broker": broker,
        "bundles": bundles,
        "reload": reload,
        "ca": root / "pki" / "ca.crt",
        "hub_password": (root / "hub" / "mqtt_password").read_text(),
    }
    broker.terminate()
    broker.wait(10)


def device(secured, name: str) -> Conn:
    bundle = secured["bundles"][name]
    password = (bundle / "secrets" / "mqtt_password").read_text()
    return Conn(name, password, secured["port"], bundle / "ca.crt")


def hub(secured) -> Conn:
    return Conn("smartcare-hub", secured["hub_password"], secured["port"], secured["ca"])


def test_bundle_contents_and_modes(secured):
    bundle = secured["bundles"]["kiosk-a"]
    for secret in ("device_key.pem", "mqtt_password"):
        assert (bundle / "secrets" / secret).stat().st_mode & 0o777 == 0o600
    config = (bundle / "kiosk.toml").read_text()
    assert 'device_id = "kiosk-a"' in config and "mqtts://kiosk-a@127.0.0.1" in config
    from edge_device.cli import main as kiosk

    assert kiosk(["--validate-config", str(bundle / "kiosk.toml")]) == 0
    # a second create for the same id is refused unless rotating
    assert (
        provision(
            [
                "--root",
                str(secured["root"]),
                "device",
                "create",
                "--id",
                "kiosk-a",
                "--site",
                "phc-main",
                "--out",
                str(bundle),
            ]
        )
        == 1
    )


def test_plain_text_and_wrong_ca_are_refused(secured, tmp_path):
    password = (secured["bundles"]["kiosk-a"] / "secrets" / "mqtt_password").read_text()
    plain = Conn("kiosk-a", password, secured["port"], None, tls=False)
    assert not plain.wait(3)
    plain.close()
    _key, other_ca = create_ca(tmp_path / "other-ca")
    context = ssl.create_default_context(cafile=str(other_ca))
    with socket.create_connection(("127.0.0.1", secured["port"]), timeout=5) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            context.wrap_socket(raw, server_hostname="127.0.0.1")
    bad_password = Conn("kiosk-a", "not-the-password", secured["port"], secured["ca"])
    assert not bad_password.wait(3) and bad_password.reason is not None
    bad_password.close()
    anonymous = Conn("nobody", None, secured["port"], secured["ca"])
    assert not anonymous.wait(3)
    anonymous.close()
    good = device(secured, "kiosk-a")
    assert good.wait(5)
    good.close()


def test_acl_keeps_devices_apart(secured):
    h, a, b = hub(secured), device(secured, "kiosk-a"), device(secured, "kiosk-b")
    assert h.wait() and a.wait() and b.wait()
    h.client.subscribe(topics.ATTENDANCE_FILTER, 1)
    a.client.subscribe(topics.ack("kiosk-b"), 1)  # someone else's acks
    a.client.subscribe(topics.gallery("other-site"), 1)  # another site's gallery
    a.client.subscribe(topics.ack("kiosk-a"), 1)
    b.client.subscribe(topics.gallery("other-site"), 1)
    time.sleep(0.5)
    # Mosquitto 2.0 grants such a subscription but never delivers on it: what counts is
    # what arrives, checked below
    assert len(a.subacks) == 3
    a.client.publish(topics.attendance("kiosk-a"), b"own", qos=1)
    h.client.publish(topics.ack("kiosk-b"), b'{"acked": []}', qos=1)
    h.client.publish(topics.ack("kiosk-a"), b'{"acked": ["x"]}', qos=1)
    h.client.publish(topics.gallery("other-site"), b"gallery", qos=1, retain=True)
    time.sleep(1.0)
    assert h.messages == [(topics.attendance("kiosk-a"), b"own")]
    assert a.messages == [(topics.ack("kiosk-a"), b'{"acked": ["x"]}')]
    assert b.messages == [(topics.gallery("other-site"), b"gallery")]
    # publishing under B's name is refused (and paho drops that connection)
    forger = device(secured, "kiosk-a")
    assert forger.wait()
    forger.client.publish(topics.attendance("kiosk-b"), b"forged", qos=1)
    forger.client.publish(topics.status("kiosk-b"), b"forged", qos=1)
    time.sleep(1.0)
    assert b"forged" not in [payload for _, payload in h.messages]
    forger.close()
    for c in (h, a, b):
        c.close()


def test_revocation_without_broker_restart(secured, app):
    pid = secured["broker"].pid
    before = device(secured, "kiosk-a")
    assert before.wait()
    before.close()
    assert (
        provision(
            [
                "--root",
                str(secured["root"]),
                "device",
                "revoke",
                "kiosk-a",
                "--broker-reload",
                secured["reload"],
            ]
        )
        == 0
    )
    time.sleep(0.5)
    after = device(secured, "kiosk-a")
    assert not after.wait(3) and after.reason is not None and after.reason.is_failure
    after.close()
    assert secured["broker"].poll() is None and secured["broker"].pid == pid  # not restarted
    other = device(secured, "kiosk-b")  # the rest of the fleet is unaffected
    assert other.wait()
    other.close()
    with app.app_context():
        status = db.session.scalar(db.select(Device.status).where(Device.device_id == "kiosk-a"))
        assert status == "revoked"


def test_hub_reads_through_the_shared_subscription_under_the_acl(secured):
    """The compose deployment runs the ingest on $share/hub/...: the ACL must allow it."""
    h, a = hub(secured), device(secured, "kiosk-a")
    assert h.wait() and a.wait()
    h.client.subscribe(topics.SHARED_ATTENDANCE_FILTER, 1)
    time.sleep(0.5)
    a.client.publish(topics.attendance("kiosk-a"), b"shared", qos=1)
    deadline = time.monotonic() + 3
    while not h.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert h.messages == [(topics.attendance("kiosk-a"), b"shared")]
    for c in (h, a):
        c.close()
