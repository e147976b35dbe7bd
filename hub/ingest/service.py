"""The ingest service: a persistent MQTT session feeding ``IngestProcessor`` in batches.

A message is acknowledged to the broker (manual PUBACK) only after its batch is
committed, and the kiosk's event only after that (the ``ack`` topic): a crash anywhere
before the commit makes both the broker and the kiosk send it again, and the event id
makes the second copy harmless.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from flask import Flask

from hub.ingest.processor import Incoming, IngestProcessor
from hub.mqtt_link import broker_settings
from protocol import topics
from protocol.mqtt import build_client, connect_async, is_fatal

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Received:
    incoming: Incoming
    mid: int
    qos: int


class IngestService:
    def __init__(self, app: Flask, *, batch_size: int = 1000, batch_wait_s: float = 0.02) -> None:
        self.app = app
        self.settings = broker_settings(app)
        if self.settings is None:
            raise RuntimeError("SMARTCARE_MQTT_URL is not set")
        self.shared = bool(app.config.get("MQTT_SHARED"))
        self.batch_size, self.batch_wait_s = batch_size, batch_wait_s
        self.processor = IngestProcessor(app.config["MAX_CLOCK_SKEW_S"])
        self.client = build_client(
            self.settings, app.config["MQTT_CLIENT_ID"], persistent=True, manual_ack=True
        )
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self._queue: queue.Queue[_Received] = queue.Queue()
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._worker = threading.Thread(target=self._work, name="ingest-worker", daemon=True)
        self.committed = 0
        self.rejected = 0

    def start(self) -> None:
        connect_async(self.client, self.settings, persistent=True)
        self.client.loop_start()
        self._worker.start()
        logger.info("ingest connecting to %s (shared=%s)", self.settings.redacted(), self.shared)

    def stop(self) -> None:
        self._stop.set()
        self._worker.join(10)
        self.client.disconnect()
        self.client.loop_stop()

    def wait_connected(self, timeout_s: float = 10.0) -> bool:
        return self.connected.wait(timeout_s)

    # MQTT callbacks
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.error("broker refused the ingest: %s", reason_code)
            if is_fatal(reason_code):
                client.disconnect()
            return
        attendance = topics.SHARED_ATTENDANCE_FILTER if self.shared else topics.ATTENDANCE_FILTER
        client.subscribe([(attendance, 1), (topics.STATUS_FILTER, 1)])
        self.connected.set()
        logger.info("ingest connected (session present: %s)", flags.session_present)
        threading.Thread(target=self._publish_galleries, daemon=True).start()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        logger.warning("ingest disconnected: %s", reason_code)

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        self._queue.put(
            _Received(Incoming(message.topic, message.payload), message.mid, message.qos)
        )

    # the worker
    def _take_batch(self) -> list[_Received]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_wait_s
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(
                    self._queue.get(timeout=max(0.0, remaining))
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _work(self) -> None:
        pending: list[_Received] = []
        while not self._stop.is_set():
            if not pending:
                pending = self._take_batch()
                if not pending:
                    continue
            try:
                with self.app.app_context():
                    result = self.processor.process([r.incoming for r in pending])
            except Exception:
                # the database is away: keep the batch, unacked, and try again
                logger.exception("ingest batch of %d failed; retrying", len(pending))
                with self.app.app_context():
                    from hub.extensions import db

                    db.session.rollback()
                time.sleep(1.0)
                continue
            for device_id, event_ids in result.acks.items():
                self.client.publish(topics.ack(device_id), json.dumps({"acked": event_ids}), qos=1)
            for received in pending:
                if received.qos > 0:
                    self.client.ack(received.mid, received.qos)
            self.committed += result.committed
            self.rejected += sum(result.rejected.values())
            pending = []

    def _publish_galleries(self) -> None:
        try:
            with self.app.app_context():
                from hub.staff.faces import signed_gallery, sites

                for site_id in sites():
                    self.client.publish(
                        topics.gallery(site_id), signed_gallery(site_id), qos=1, retain=True
                    )
        except Exception:
            logger.exception("publishing galleries failed")
