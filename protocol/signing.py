"""Ed25519 keys and signed envelopes.

An envelope is ``{"payload": {...}, "sig": base64url(Ed25519(canonical_json(payload))),
"kid": key id}``. The key id is the first 16 hex digits of the SHA-256 of the raw public
key, so either side can tell which key was meant without trusting the sender.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from protocol.canonical import canonical_json


class SignatureError(ValueError):
    """The envelope's signature does not verify (or names an unknown key)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    pad = "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(text + pad)


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return hashlib.sha256(_raw_public(public)).hexdigest()[:16]


def public_key_b64(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return b64url(_raw_public(public))


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    try:
        raw = b64url_decode(text)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise ValueError("not an Ed25519 public key") from exc


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    data = Path(path).read_bytes()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def sign_envelope(payload: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """Wrap a payload in a signed envelope."""
    return {
        "payload": payload,
        "sig": b64url(key.sign(canonical_json(payload))),
        "kid": key_id(key),
    }


def verify_envelope(
    envelope: dict[str, Any],
    lookup: Callable[[str], Ed25519PublicKey | None],
    signed_bytes: bytes | None = None,
) -> dict[str, Any]:
    """Return the payload if ``sig`` verifies under the key ``lookup(kid)`` gives.

    ``signed_bytes``: the payload's canonical JSON, when the caller already made it.
    Raises ``SignatureError`` on an unknown key id or a bad signature.
    """
    key = lookup(envelope["kid"])
    if key is None:
        raise SignatureError(f"unknown key id {envelope['kid']!r}")
    try:
        signature = b64url_decode(envelope["sig"])
        key.verify(signature, signed_bytes or canonical_json(envelope["payload"]))
    except (InvalidSignature, ValueError, binascii.Error):
        raise SignatureError("signature does not verify") from None
    return envelope["payload"]
