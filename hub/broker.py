"""The zero-setup default: an embedded MQTT broker (amqtt) on a loopback port of its own,
used only when SMARTCARE_MQTT_URL is not set. Production uses Mosquitto with TLS."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

logger = logging.getLogger(__name__)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedBroker:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="embedded-broker", daemon=True)

    def _run(self) -> None:
        from amqtt.broker import Broker

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "sys_interval": 0,
            "auth": {"allow-anonymous": True},
            "topic-check": {"enabled": False},
        }

        async def main() -> None:
            broker = Broker(config)
            await broker.start()
            self._ready.set()
            while True:
                await asyncio.sleep(3600)

        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()

    def start(self, timeout_s: float = 10.0) -> str:
        self._thread.start()
        if not self._ready.wait(timeout_s) or self._error is not None:
            raise RuntimeError(f"embedded MQTT broker did not start: {self._error}")
        logger.info("embedded MQTT broker on %s (set SMARTCARE_MQTT_URL for Mosquitto)", self.url)
        return self.url
