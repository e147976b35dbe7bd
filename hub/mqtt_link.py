"""The hub's side of MQTT: broker settings from the config, and one-off publishing."""

from __future__ import annotations

import logging
import threading
import uuid

from flask import Flask, current_app

from protocol.mqtt import BrokerSettings, build_client, connect_async

logger = logging.getLogger(__name__)


def broker_settings(app: Flask | None = None) -> BrokerSettings | None:
    config = (app or current_app).config
    url = config.get("MQTT_URL")
    if not url:
        return None
    return BrokerSettings.from_url(
        url,
        ca_file=config.get("MQTT_CA_FILE"),
        cert_file=config.get("MQTT_CERT_FILE"),
        key_file=config.get("MQTT_KEY_FILE"),
        protocol=config.get("MQTT_PROTOCOL", "v5"),
    )


def publish_once(
    settings: BrokerSettings, topic: str, payload: bytes, *, retain: bool, timeout_s: float = 10.0
) -> bool:
    """Connect, publish one QoS 1 message, wait for the broker's ack, disconnect."""
    client = build_client(settings, f"smartcare-hub-pub-{uuid.uuid4().hex[:8]}", persistent=False)
    connected = threading.Event()
    client.on_connect = lambda c, u, f, rc, p: connected.set() if not rc.is_failure else None
    connect_async(client, settings, persistent=False)
    client.loop_start()
    try:
        if not connected.wait(timeout_s):
            logger.error(
                "publish to %s failed: broker %s not reachable", topic, settings.redacted()
            )
            return False
        info = client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(timeout_s)
        return info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()
