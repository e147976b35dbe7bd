"""The wire contract shared by the kiosks and the hub.

Message schemas, canonical JSON, Ed25519 signing and verification, and topic names.
This package depends on nothing else in the repository.
"""

from protocol.canonical import canonical_json
from protocol.messages import (
    MAX_ATTENDANCE_BYTES,
    MAX_GALLERY_BYTES,
    MAX_STATUS_BYTES,
    AckPayload,
    AttendancePayload,
    Envelope,
    GalleryPayload,
    GalleryPerson,
    ProtocolError,
    StatusPayload,
    decode_envelope,
    format_ts,
    parse_ts,
    validate_payload,
)
from protocol.signing import (
    SignatureError,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    private_key_pem,
    public_key_b64,
    public_key_from_b64,
    public_key_pem,
    sign_envelope,
    verify_envelope,
)

__all__ = [
    "MAX_ATTENDANCE_BYTES",
    "MAX_GALLERY_BYTES",
    "MAX_STATUS_BYTES",
    "AckPayload",
    "AttendancePayload",
    "Envelope",
    "GalleryPayload",
    "GalleryPerson",
    "ProtocolError",
    "SignatureError",
    "StatusPayload",
    "canonical_json",
    "decode_envelope",
    "format_ts",
    "generate_key",
    "key_id",
    "load_private_key",
    "parse_ts",
    "load_public_key",
    "private_key_pem",
    "public_key_b64",
    "public_key_from_b64",
    "public_key_pem",
    "sign_envelope",
    "validate_payload",
    "verify_envelope",
]
