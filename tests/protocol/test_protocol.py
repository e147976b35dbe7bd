import json
import uuid
from datetime import UTC, datetime

import pytest

from protocol import (
    AttendancePayload,
    ProtocolError,
    SignatureError,
    canonical_json,
    decode_envelope,
    format_ts,
    generate_key,
    key_id,
    parse_ts,
    public_key_b64,
    public_key_from_b64,
    sign_envelope,
    topics,
    validate_payload,
    verify_envelope,
)


def payload(**over):
    base = {
        "v": 1,
        "type": "attendance",
        "event_id": str(uuid.uuid4()),
        "device_id": "kiosk-1",
        "seq": 1,
        "ts": format_ts(datetime.now(UTC)),
        "staff_id": "DOCTOR-0001",
        "direction": "auto",
        "score": 0.61,
        "liveness": 0.9,
        "model": "dlib-resnet-v1",
    }
    base.update(over)
    return base


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": "é", "c": [1, {"z": 0, "y": None}]}) == (
        '{"a":"é","b":1,"c":[1,{"y":null,"z":0}]}'.encode()
    )
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_sign_and_verify_round_trip_survives_reencoding():
    key = generate_key()
    env = sign_envelope(payload(), key)
    # any re-encoding in between (order, whitespace) keeps the signature valid
    again = json.loads(json.dumps(env, indent=2, sort_keys=False))
    public = public_key_from_b64(public_key_b64(key))
    keys = {key_id(key): public}
    assert verify_envelope(again, keys.get) == env["payload"]


def test_tampered_payload_wrong_key_unknown_kid():
    key, other = generate_key(), generate_key()
    env = sign_envelope(payload(), key)
    tampered = dict(env, payload=dict(env["payload"], staff_id="ASHA-0002"))
    with pytest.raises(SignatureError):
        verify_envelope(tampered, {key_id(key): key.public_key()}.get)
    with pytest.raises(SignatureError):
        verify_envelope(env, {key_id(key): other.public_key()}.get)
    with pytest.raises(SignatureError, match="unknown key"):
        verify_envelope(env, {}.get)


def test_decode_envelope_errors_have_reasons():
    with pytest.raises(ProtocolError) as e:
        decode_envelope(b"x" * 5000, 4096)
    assert e.value.reason == "oversized"
    with pytest.raises(ProtocolError) as e:
        decode_envelope(b"{not json", 4096)
    assert e.value.reason == "bad_json"
    with pytest.raises(ProtocolError) as e:
        decode_envelope(b'{"payload": {}, "sig": "x", "kid": "y", "extra": 1}', 4096)
    assert e.value.reason == "bad_schema"


@pytest.mark.parametrize(
    "over",
    [
        {"extra": 1},
        {"seq": "1"},
        {"seq": 0},
        {"direction": "sideways"},
        {"score": 1.5},
        {"event_id": "not-a-uuid"},
        {"ts": "2026-12-03 10:00:00"},
        {"device_id": "a/b"},
        {"staff_id": "+"},
        {"v": 2},
    ],
)
def test_attendance_schema_is_strict(over):
    with pytest.raises(ProtocolError) as e:
        validate_payload(AttendancePayload, payload(**over))
    assert e.value.reason == "bad_schema"


def test_timestamps():
    when = datetime(2026, 12, 3, 9, 15, 2, 123456, tzinfo=UTC)
    text = format_ts(when)
    assert text == "2026-12-03T09:15:02.123Z"
    assert parse_ts(text) == when.replace(microsecond=123000)


def test_topics():
    assert topics.attendance("k1") == "smartcare/v1/devices/k1/attendance"
    assert topics.gallery("phc-main") == "smartcare/v1/sites/phc-main/gallery"
    assert topics.parse_device_topic("smartcare/v1/devices/k1/status") == ("k1", "status")
    assert topics.parse_device_topic("smartcare/v1/devices/k1/x/status") is None
    assert topics.SHARED_ATTENDANCE_FILTER == "$share/hub/smartcare/v1/devices/+/attendance"
    with pytest.raises(ValueError):
        topics.ack("a/#")
