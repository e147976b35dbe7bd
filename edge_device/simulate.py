"""``smartcare-kiosk simulate``: decided events without a camera, through the kiosk's real
outbox, signing and uplink. For load tests and delivery tests (kill it at any moment: what
it had committed to the outbox is delivered when it runs again)."""

from __future__ import annotations

import itertools
import logging
import time

from edge_device.app import event_builder
from edge_device.config import KioskConfig
from edge_device.decision import Decision
from edge_device.outbox import Outbox
from edge_device.uplink import Uplink, status_payload
from protocol import load_private_key

logger = logging.getLogger(__name__)
SIM_MODEL = "dlib-resnet-v1"


def simulate(
    config: KioskConfig, *, staff: list[str], events: int, rate: float, drain_timeout: float
) -> int:
    data = config.storage.data_dir
    data.mkdir(parents=True, exist_ok=True)
    key = load_private_key(config.keys.device_key_file)
    outbox = Outbox(data / "outbox.db")
    already = len(outbox.decided_ids())
    uplink = Uplink(
        config,
        key,
        outbox,
        on_gallery=lambda raw: None,
        status=lambda state: status_payload(
            config,
            state,
            version="simulator",
            outbox_depth=outbox.depth(),
            fps=0.0,
            last_event_at=None,
            model=SIM_MODEL,
            gallery_version=None,
        ),
        version="simulator",
    )
    uplink.start()
    try:
        names = itertools.cycle(staff)
        start = time.monotonic()
        for n in range(already, events):
            now = time.time()
            decision = Decision(
                staff_id=next(names),
                name="simulated",
                score=0.7,
                liveness=0.9,
                captured_at=now,
                first_seen=time.monotonic(),
                track_id=n,
            )
            outbox.add(event_builder(config, key, decision, SIM_MODEL))
            uplink.wake()
            delay = start + (n - already + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        logger.info("simulated %d events (%d in all); draining", events - already, events)
        deadline = time.monotonic() + drain_timeout
        while outbox.depth() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = outbox.depth()
        print(f"decided {len(outbox.decided_ids())} events; {left} not yet acked", flush=True)
        return 0 if left == 0 else 3
    finally:
        uplink.stop()
        outbox.close()
