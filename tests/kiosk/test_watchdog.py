"""The kiosk tells systemd it is ready and alive, over a real notify socket."""

import socket

from edge_device.app import Watchdog


def test_ready_and_watchdog_reach_the_notify_socket(tmp_path, monkeypatch):
    path = tmp_path / "notify.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    try:
        dog = Watchdog(every_s=0.0)
        dog.ready()
        dog.ping()
        assert server.recv(64) == b"READY=1"
        assert server.recv(64) == b"WATCHDOG=1"
    finally:
        server.close()
