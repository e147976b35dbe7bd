"""The hub's Ed25519 signing key (galleries are signed with it)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from protocol import generate_key, load_private_key, private_key_pem

logger = logging.getLogger(__name__)
_cache: dict[str, Ed25519PrivateKey] = {}


def hub_key() -> Ed25519PrivateKey:
    """Load the key named by HUB_KEY_FILE, creating it (mode 0600) when missing."""
    path = Path(current_app.config["HUB_KEY_FILE"])
    key = _cache.get(str(path))
    if key is None:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(private_key_pem(generate_key()))
            logger.info("generated the hub signing key at %s", path)
        key = load_private_key(path)
        _cache[str(path)] = key
    return key
