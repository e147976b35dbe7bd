"""Building a paho MQTT client from a URL and TLS settings (what a client *is*), kept apart
from what the kiosk or the hub then does with it.

paho-mqtt 2.x, callback API version 2, reconnect back-off 1 s to 120 s.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

#: CONNACK reason codes after which retrying cannot help (wrong user, password, or banned).
FATAL_CONNECT_REASONS = {
    "Bad user name or password",
    "Not authorized",
    "Banned",
    "Client identifier not valid",
}


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    protocol: str = "v5"

    @classmethod
    def from_url(cls, url: str, **extra) -> BrokerSettings:
        """``mqtt://[user[:pass]@]host[:port]`` or ``mqtts://...`` (TLS, default port 8883)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts"):
            raise ValueError("broker URL must start with mqtt:// or mqtts://")
        tls = parts.scheme == "mqtts"
        settings = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or (8883 if tls else 1883),
            "tls": tls,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
        }
        settings.update({k: v for k, v in extra.items() if v is not None})
        return cls(**settings)

    def redacted(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.username or ''}@{self.host}:{self.port}"


def build_client(
    settings: BrokerSettings,
    client_id: str,
    *,
    persistent: bool = True,
    manual_ack: bool = False,
    will: tuple[str, bytes] | None = None,
) -> mqtt.Client:
    """A configured, not yet connected client. ``persistent``: keep the session (and the
    QoS 1 messages queued for it) across disconnects."""
    v5 = settings.protocol == "v5"
    kwargs = {}
    if not v5:
        kwargs["clean_session"] = not persistent
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
        manual_ack=manual_ack,
        **kwargs,
    )
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        context = ssl.create_default_context(
            ssl.Purpose.SERVER_AUTH, cafile=str(settings.ca_file) if settings.ca_file else None
        )
        if settings.cert_file and settings.key_file:
            context.load_cert_chain(str(settings.cert_file), str(settings.key_file))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        client.tls_set_context(context)
    if will is not None:
        client.will_set(will[0], will[1], qos=1, retain=True)
    client.reconnect_delay_set(min_delay=1, max_delay=120)
    client.max_inflight_messages_set(200)
    client.max_queued_messages_set(0)
    return client


def connect_properties(
    settings: BrokerSettings, persistent: bool, session_expiry_s: int = 7 * 86400
) -> Properties | None:
    """MQTT v5 CONNECT properties: a session that outlives the connection when persistent."""
    if settings.protocol != "v5":
        return None
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = session_expiry_s if persistent else 0
    return props


def connect_async(
    client: mqtt.Client, settings: BrokerSettings, *, persistent: bool = True, keepalive: int = 30
) -> None:
    """Start connecting in the background (``loop_start`` must follow)."""
    kwargs = {}
    if settings.protocol == "v5":
        kwargs["clean_start"] = not persistent
        kwargs["properties"] = connect_properties(settings, persistent)
    client.connect_async(settings.host, settings.port, keepalive=keepalive, **kwargs)


def is_fatal(reason_code) -> bool:
    return getattr(reason_code, "is_failure", False) and str(reason_code) in FATAL_CONNECT_REASONS
