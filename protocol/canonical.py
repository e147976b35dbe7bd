"""Canonical JSON: UTF-8, keys sorted, no insignificant whitespace.

Both sides sign and verify these exact bytes, so the signature survives any re-encoding
of the envelope in between.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON value. NaN and infinities are refused."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
