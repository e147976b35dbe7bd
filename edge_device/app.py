"""The kiosk agent: one ``KioskApp`` with an explicit start order and reverse stop order.

start: outbox -> gallery (last good, from disk) -> backend and embedder -> uplink ->
heartbeat; then the frame loop. stop: the reverse.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from edge_device import __version__
from edge_device.config import KioskConfig
from edge_device.decision import Decision
from edge_device.embedder import Embedder
from edge_device.gallery_store import GalleryStore
from edge_device.outbox import Outbox, Pending
from edge_device.pipeline import Pipeline
from edge_device.sources import open_source
from edge_device.uplink import Uplink, heartbeat_loop, status_payload
from faces.backends import load_backend
from protocol import format_ts, load_private_key, load_public_key, sign_envelope

logger = logging.getLogger(__name__)


def event_builder(config: KioskConfig, key, decision: Decision, model_id: str):
    """``build(seq)`` for ``Outbox.add``: a signed attendance envelope."""

    def build(seq: int) -> tuple[str, str, dict[str, Any]]:
        event_id = str(uuid.uuid4())
        payload = {
            "v": 1,
            "type": "attendance",
            "event_id": event_id,
            "device_id": config.device_id,
            "seq": seq,
            "ts": format_ts(datetime.fromtimestamp(decision.captured_at, UTC)),
            "staff_id": decision.staff_id,
            "direction": config.direction,
            "score": round(min(1.0, max(0.0, decision.score)), 4),
            "liveness": decision.liveness,
            "model": model_id,
        }
        return event_id, decision.staff_id, sign_envelope(payload, key)

    return build


class Watchdog:
    """systemd's notify protocol (Type=notify, WatchdogSec): READY=1 once started, then
    WATCHDOG=1 from the frame loop. A no-op outside systemd (no NOTIFY_SOCKET).

    The protocol is one datagram to a Unix socket; the sdnotify package leaks its socket
    when there is none to connect to, so this is done here in a few lines."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s = every_s
        self._last = 0.0
        address = os.environ.get("NOTIFY_SOCKET")
        if address and address.startswith("@"):  # abstract namespace
            address = "\0" + address[1:]
        self.address = address

    def _send(self, message: str) -> None:
        if not self.address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self.address)
                sock.sendall(message.encode())
        except OSError as exc:
            logger.warning("systemd notify failed: %s", exc)

    def ready(self) -> None:
        self._send("READY=1")

    def ping(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self._send("WATCHDOG=1")


class KioskApp:
    def __init__(
        self,
        config: KioskConfig,
        *,
        source: str | None = None,
        realtime: bool = False,
        loop: bool = False,
        on_event: Callable[[Decision, Pending], None] | None = None,
    ) -> None:
        self.config = config
        self.source_spec = source or config.source
        self.realtime, self.loop = realtime, loop
        self.on_event = on_event
        self.stop_event = threading.Event()
        self.last_event_at: float | None = None
        self.outbox: Outbox | None = None
        self.uplink: Uplink | None = None
        self.embedder: Embedder | None = None
        self.pipeline: Pipeline | None = None
        self._heartbeat: threading.Thread | None = None
        self.watchdog = Watchdog()

    # lifecycle
    def start(self) -> None:
        cfg = self.config
        data = cfg.storage.data_dir
        data.mkdir(parents=True, exist_ok=True)
        self.key = load_private_key(cfg.keys.device_key_file)
        hub_key = load_public_key(cfg.keys.hub_public_key_file)
        self.outbox = Outbox(data / "outbox.db")
        rec = cfg.recognition
        options = {"detector": rec.detector} if rec.backend == "dlib" else {}
        self.backend = load_backend(rec.backend, rec.model_dir, **options)
        self.galleries = GalleryStore(
            data / "gallery.json",
            hub_key,
            site_id=cfg.site_id,
            model_id=self.backend.model_id,
            dim=self.backend.dim,
            metric=self.backend.metric,
        )
        self.galleries.load_from_disk()
        self.embedder = Embedder(
            self.backend,
            backend_name=rec.backend,
            model_dir=rec.model_dir,
            in_process=rec.embed_in_process,
        )
        self.pipeline = Pipeline(
            self.backend, lambda: self.galleries.gallery, self.embedder, rec, cfg.liveness
        )
        # a restart must not record a second arrival inside the cooldown
        for staff_id, at in self.outbox.last_decided().items():
            self.pipeline.cooldown.record(staff_id, at)
        self.uplink = Uplink(
            cfg,
            self.key,
            self.outbox,
            on_gallery=self.galleries.handle,
            status=self._status,
            version=__version__,
        )
        self.uplink.start()
        if len(self.galleries.gallery) == 0 and rec.wait_for_gallery_s > 0:
            logger.info("waiting up to %.0f s for the hub's gallery", rec.wait_for_gallery_s)
            self.galleries.loaded.wait(rec.wait_for_gallery_s)
        self._heartbeat = threading.Thread(
            target=heartbeat_loop,
            args=(self.uplink, cfg.heartbeat.interval_s, self.stop_event),
            name="heartbeat",
            daemon=True,
        )
        self._heartbeat.start()
        self.watchdog.ready()
        logger.info(
            "kiosk %s started (site %s, model %s, outbox depth %d)",
            cfg.device_id,
            cfg.site_id,
            self.backend.model_id,
            self.outbox.depth(),
        )

    def stop(self) -> None:
        self.stop_event.set()
        if self._heartbeat:
            self._heartbeat.join(2)
        if self.uplink:
            self.uplink.stop()
        if self.embedder:
            self.embedder.close()
        if self.outbox:
            self.outbox.close()

    def _status(self, state: str) -> dict[str, Any]:
        gallery = self.galleries.gallery if hasattr(self, "galleries") else None
        return status_payload(
            self.config,
            state,
            version=__version__,
            outbox_depth=self.outbox.depth() if self.outbox else 0,
            fps=self.pipeline.stats.fps() if self.pipeline else 0.0,
            last_event_at=self.last_event_at,
            model=self.backend.model_id if hasattr(self, "backend") else None,
            gallery_version=gallery.version if gallery else None,
        )

    # the frame loop
    def record(self, decision: Decision) -> Pending:
        """Commit a decision to the outbox, then hand it to the uplink."""
        assert self.outbox is not None and self.uplink is not None
        pending = self.outbox.add(
            event_builder(self.config, self.key, decision, self.backend.model_id)
        )
        self.last_event_at = time.time()
        self.uplink.wake()
        when = datetime.fromtimestamp(decision.captured_at).strftime("%H:%M:%S")
        live = "-" if decision.liveness is None else f"{decision.liveness:.2f}"
        print(
            f"[{self.config.device_id}] {when}  Welcome, {decision.name} "
            f"({decision.staff_id})  score {decision.score:.2f}  live {live}",
            flush=True,
        )
        if self.on_event:
            self.on_event(decision, pending)
        return pending

    def run(self, max_frames: int | None = None) -> None:
        """Process frames until the source ends, ``max_frames``, or a stop signal."""
        assert self.pipeline is not None
        source = open_source(self.source_spec, realtime=self.realtime, loop=self.loop)
        try:
            for frame in source.frames():
                if self.stop_event.is_set():
                    break
                self.watchdog.ping()
                for decision in self.pipeline.process(frame):
                    self.record(decision)
                if max_frames is not None and frame.index + 1 >= max_frames:
                    break
            for decision in self.pipeline.flush():
                self.record(decision)
        finally:
            source.close()
        stats = self.pipeline.stats
        logger.info(
            "source ended: %d frames at %.1f fps, %d faces, %d crops embedded, "
            "%d events, %d unknown tracks, %d not live",
            stats.frames,
            stats.fps(),
            stats.faces,
            stats.embedded,
            stats.decisions,
            stats.unknown_tracks,
            stats.not_live,
        )

    def drain(self, timeout_s: float) -> bool:
        """Wait until the hub has acked everything in the outbox (or the timeout)."""
        assert self.outbox is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.outbox.depth() == 0:
                return True
            time.sleep(0.1)
        return self.outbox.depth() == 0

    def install_signal_handlers(self) -> None:
        def _stop(signum, frame) -> None:
            logger.info("signal %s: stopping", signum)
            self.stop_event.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
