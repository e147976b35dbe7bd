"""The kiosk's gallery: verified against the hub's key, swapped in without a restart,
and kept on disk (the last good one) for an offline start."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from faces.gallery import Gallery, decode_embedding
from protocol import (
    MAX_GALLERY_BYTES,
    GalleryPayload,
    ProtocolError,
    SignatureError,
    decode_envelope,
    key_id,
    validate_payload,
    verify_envelope,
)

logger = logging.getLogger(__name__)


class GalleryStore:
    def __init__(
        self,
        path: Path,
        hub_key: Ed25519PublicKey,
        *,
        site_id: str,
        model_id: str,
        dim: int,
        metric: str,
    ) -> None:
        self.path, self.hub_key = path, hub_key
        self.site_id, self.model_id, self.dim, self.metric = site_id, model_id, dim, metric
        self._lock = threading.Lock()
        self._gallery = Gallery(model_id, dim, metric, [], version=0)
        self.loaded = threading.Event()

    @property
    def gallery(self) -> Gallery:
        with self._lock:
            return self._gallery

    def load_from_disk(self) -> bool:
        if not self.path.exists():
            logger.warning(
                "no stored gallery at %s: nobody can be recognised until the hub sends one",
                self.path,
            )
            return False
        try:
            self._install(self.path.read_bytes(), store=False)
            return True
        except (ProtocolError, SignatureError, ValueError) as exc:
            logger.error("stored gallery refused: %s", exc)
            return False

    def handle(self, raw: bytes) -> bool:
        """A gallery message from the hub: verify, check, swap in, store. False if refused."""
        try:
            return self._install(raw, store=True)
        except (ProtocolError, SignatureError, ValueError) as exc:
            logger.error("gallery refused: %s", exc)
            return False

    def _install(self, raw: bytes, *, store: bool) -> bool:
        envelope = decode_envelope(raw, MAX_GALLERY_BYTES)
        hub_kid = key_id(self.hub_key)
        payload = verify_envelope(
            envelope.model_dump(), lambda kid: self.hub_key if kid == hub_kid else None
        )
        gallery_msg: GalleryPayload = validate_payload(GalleryPayload, payload)
        if gallery_msg.site_id != self.site_id:
            raise ValueError(f"gallery is for site {gallery_msg.site_id}, not {self.site_id}")
        if gallery_msg.model != self.model_id:
            # another model's gallery on the same site: not ours to load
            logger.info(
                "ignoring gallery of model %s (this kiosk runs %s)",
                gallery_msg.model,
                self.model_id,
            )
            return False
        if gallery_msg.dim != self.dim:
            raise ValueError(f"gallery dim {gallery_msg.dim} != model dim {self.dim}")
        current = self.gallery.version
        if store and gallery_msg.version < current:
            logger.info("ignoring older gallery version %s (have %s)", gallery_msg.version, current)
            return False
        people = [
            (p.staff_id, p.name, np.vstack([decode_embedding(e, self.dim) for e in p.embeddings]))
            for p in gallery_msg.people
        ]
        gallery = Gallery(self.model_id, self.dim, self.metric, people, version=gallery_msg.version)
        with self._lock:
            self._gallery = gallery
        self.loaded.set()
        if store:
            tmp = self.path.with_suffix(".tmp")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(raw)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        logger.info("gallery version %s loaded: %d people", gallery.version, len(gallery))
        return True


def describe(path: Path) -> dict:
    """Version and size of a stored gallery, without verifying (for status output)."""
    try:
        payload = json.loads(path.read_bytes())["payload"]
        return {"version": payload["version"], "people": len(payload["people"])}
    except (OSError, ValueError, KeyError):
        return {}
