"""The kiosk's MQTT uplink: sends the outbox, takes the hub's acks, receives galleries,
publishes a signed retained status with an ``offline`` last will.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge_device.config import KioskConfig
from edge_device.outbox import Outbox
from protocol import AckPayload, canonical_json, format_ts, sign_envelope, topics
from protocol.mqtt import BrokerSettings, build_client, connect_async, is_fatal

logger = logging.getLogger(__name__)


class Uplink:
    def __init__(
        self,
        config: KioskConfig,
        key: Ed25519PrivateKey,
        outbox: Outbox,
        *,
        on_gallery: Callable[[bytes], None],
        status: Callable[[str], dict[str, Any]],
        version: str,
    ) -> None:
        self.config, self.key, self.outbox = config, key, outbox
        self.on_gallery, self.status, self.version = on_gallery, status, version
        mq = config.mqtt
        self.settings = BrokerSettings.from_url(
            mq.url,
            username=mq.username or None,
            password=mq.password(),
            ca_file=mq.ca_file,
            cert_file=mq.cert_file,
            key_file=mq.key_file,
            protocol=mq.protocol,
        )
        if self.settings.username is None:
            self.settings = BrokerSettings(
                **{**self.settings.__dict__, "username": config.device_id}
            )
        self.topic_events = topics.attendance(config.device_id)
        self.topic_status = topics.status(config.device_id)
        self.topic_ack = topics.ack(config.device_id)
        self.topic_gallery = topics.gallery(config.site_id)
        will = canonical_json(sign_envelope(self.status("offline"), key))
        self.client = build_client(
            self.settings, config.device_id, persistent=True, will=(self.topic_status, will)
        )
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.connected = threading.Event()
        self.auth_failed = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sender = threading.Thread(target=self._send_loop, name="uplink-sender", daemon=True)
        self.acked_total = 0

    # lifecycle
    def start(self) -> None:
        connect_async(
            self.client, self.settings, persistent=True, keepalive=self.config.mqtt.keepalive
        )
        self.client.loop_start()
        self._sender.start()
        logger.info("uplink connecting to %s", self.settings.redacted())

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._sender.join(5)
        if self.connected.is_set():
            # a clean stop says "offline" itself; the will covers a crash
            self.publish_status("offline")
        self.client.disconnect()
        self.client.loop_stop()

    def wake(self) -> None:
        """A new event is in the outbox: send without waiting for the next tick."""
        self._wake.set()

    # paho callbacks (network thread)
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.error("broker refused the connection: %s", reason_code)
            if is_fatal(reason_code):
                self.auth_failed = True
                logger.error("credentials refused; not retrying (check the device bundle)")
                client.disconnect()
            return
        client.subscribe([(self.topic_ack, 1), (self.topic_gallery, 1)])
        self.outbox.reset_sent()  # anything unacked goes again on this connection
        self.connected.set()
        self.publish_status("online")
        self._wake.set()
        logger.info("uplink connected session_present=%s", flags.session_present)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        logger.warning("uplink disconnected: %s", reason_code)

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        try:
            if message.topic == self.topic_ack:
                ack = AckPayload.model_validate(json.loads(message.payload))
                removed = self.outbox.ack(ack.acked)
                self.acked_total += removed
                logger.debug("hub acked %d events (%d were pending)", len(ack.acked), removed)
            elif message.topic == self.topic_gallery:
                self.on_gallery(message.payload)
        except Exception:  # one bad message must not stop the uplink
            logger.exception("could not handle a message on %s", message.topic)

    # sending
    def _send_loop(self) -> None:
        resend = self.config.mqtt.resend_after_s
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            if not self.connected.is_set():
                continue
            try:
                self._send_due(resend)
            except Exception:
                logger.exception("sending the outbox failed; will retry")

    def _send_due(self, resend_after_s: float) -> None:
        while self.connected.is_set() and not self._stop.is_set():
            due = self.outbox.due(resend_after_s)
            if not due:
                return
            sent = []
            for item in due:
                info = self.client.publish(self.topic_events, item.envelope, qos=1)
                if info.rc != mqtt.MQTT_ERR_SUCCESS:
                    break
                sent.append(item.event_id)
            self.outbox.mark_sent(sent)
            if len(sent) < len(due):
                return

    def publish_status(self, state: str) -> None:
        envelope = sign_envelope(self.status(state), self.key)
        self.client.publish(self.topic_status, canonical_json(envelope), qos=1, retain=True)


def status_payload(
    config: KioskConfig,
    state: str,
    *,
    version: str,
    outbox_depth: int,
    fps: float,
    last_event_at: float | None,
    model: str | None,
    gallery_version: int | None,
) -> dict[str, Any]:
    from datetime import UTC, datetime

    return {
        "v": 1,
        "type": "status",
        "device_id": config.device_id,
        "state": state,
        "ts": format_ts(datetime.now(UTC)),
        "version": version,
        "outbox_depth": outbox_depth,
        "fps": round(float(fps), 2),
        "last_event_ts": (
            format_ts(datetime.fromtimestamp(last_event_at, UTC)) if last_event_at else None
        ),
        "model": model,
        "gallery_version": gallery_version,
    }


def heartbeat_loop(uplink: Uplink, interval_s: float, stop: threading.Event) -> None:
    """Publish a signed status every ``interval_s`` while connected."""
    while not stop.wait(interval_s):
        if uplink.connected.is_set():
            try:
                uplink.publish_status("online")
            except Exception:
                logger.exception("heartbeat failed")
