"""Kiosk parts without a broker: config validation, the outbox, the gallery store."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from edge_device.config import ConfigError, load_config
from edge_device.gallery_store import GalleryStore
from edge_device.outbox import Outbox
from faces.gallery import encode_embedding
from protocol import canonical_json, format_ts, generate_key, public_key_pem, sign_envelope

ROOT = Path(__file__).resolve().parents[2]
GOOD = """
device_id = "kiosk-7"
site_id = "phc-main"

[keys]
device_key_file = "k.pem"
hub_public_key_file = "hub.pem"
"""


def test_config_defaults_and_relative_paths(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.recognition.backend == "dlib" and config.mqtt.protocol == "v5"
    assert config.keys.device_key_file == tmp_path / "k.pem"


@pytest.mark.parametrize(
    "text, fragment",
    [
        (GOOD + "\n[recognition]\nagreemnt = 2\n", "recognition.agreemnt: unknown key"),
        (GOOD.replace('"kiosk-7"', '"bad id/"'), "device_id"),
        (GOOD + '\n[mqtt]\nurl = "http://x"\n', "mqtt.url"),
        (GOOD + "\n[recognition]\nagreement = 5\ncrops_per_decision = 3\n", "agreement cannot"),
        ("device_id = ", "not valid TOML"),
        (GOOD.replace("[keys]", "[keyz]"), "keys"),
    ],
)
def test_config_errors_are_readable(tmp_path, text, fragment):
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert fragment in str(err.value)


def test_validate_config_command(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(GOOD + "\n[recognition]\nthreshhold = 0.5\n")
    cmd = [sys.executable, "-m", "edge_device.cli", "--validate-config", str(path)]
    bad = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "recognition.threshhold: unknown key" in bad.stderr
    path.write_text(GOOD)
    missing = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "k.pem does not exist" in missing.stderr
    (tmp_path / "k.pem").write_text("x")
    (tmp_path / "hub.pem").write_text("x")
    ok = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "OK" in ok.stdout


def _build(event_id):
    return lambda seq: (event_id, "S1", {"payload": {"seq": seq}, "sig": "x", "kid": "y"})


def test_outbox_seq_rises_across_restarts_and_ack_deletes(tmp_path):
    box = Outbox(tmp_path / "o.db")
    seqs = [box.add(_build(f"e{i}")).seq for i in range(3)]
    assert seqs == [1, 2, 3] and box.depth() == 3
    assert [p.event_id for p in box.due(10)] == ["e0", "e1", "e2"]
    box.mark_sent(["e0", "e1"])
    assert [p.event_id for p in box.due(10)] == ["e2"]  # sent ones wait for the resend time
    assert box.ack(["e0", "unknown"]) == 1 and box.depth() == 2
    box.close()
    again = Outbox(tmp_path / "o.db")  # a restart
    assert again.add(_build("e3")).seq == 4
    assert again.depth() == 3 and again.decided_ids() == ["e0", "e1", "e2", "e3"]
    again.reset_sent()
    assert len(again.due(10)) == 3
    last = again.last_decided()
    assert set(last) == {"S1"} and last["S1"] >= max(0.0, time.time() - 60)
    from edge_device.decision import Cooldown

    cooldown = Cooldown(300)
    for staff_id, at in last.items():
        cooldown.record(staff_id, at)
    assert not cooldown.allows("S1", time.time())
    again.close()


def _gallery(key, *, site="phc-main", model="dlib-resnet-v1", version=5, dim=128):
    vec = np.arange(dim, dtype=np.float32) / dim
    payload = {
        "v": 1,
        "type": "gallery",
        "site_id": site,
        "model": model,
        "version": version,
        "dim": dim,
        "ts": format_ts(__import__("datetime").datetime.now(__import__("datetime").UTC)),
        "people": [
            {"staff_id": "DOCTOR-0001", "name": "Dr A", "embeddings": [encode_embedding(vec)]}
        ],
    }
    return canonical_json(sign_envelope(payload, key))


def test_gallery_store_verifies_swaps_and_persists(tmp_path):
    hub = generate_key()
    (tmp_path / "hub.pem").write_bytes(public_key_pem(hub))
    store = GalleryStore(
        tmp_path / "gallery.json",
        hub.public_key(),
        site_id="phc-main",
        model_id="dlib-resnet-v1",
        dim=128,
        metric="euclidean",
    )
    assert not store.load_from_disk()
    assert not store.handle(_gallery(generate_key()))  # forged
    assert not store.handle(_gallery(hub, site="other-site"))
    assert not store.handle(_gallery(hub, model="arcface-x", dim=512))  # another model's
    assert not store.handle(b"{garbage")
    assert len(store.gallery) == 0
    assert store.handle(_gallery(hub, version=5))
    assert store.gallery.ids == ["DOCTOR-0001"] and store.gallery.version == 5
    assert not store.handle(_gallery(hub, version=4))  # older: ignored
    # an offline start finds the last good gallery on disk
    fresh = GalleryStore(
        tmp_path / "gallery.json",
        hub.public_key(),
        site_id="phc-main",
        model_id="dlib-resnet-v1",
        dim=128,
        metric="euclidean",
    )
    assert fresh.load_from_disk() and fresh.gallery.version == 5
    assert json.loads((tmp_path / "gallery.json").read_text())["payload"]["version"] == 5


def test_config_reference_and_example_are_current():
    from edge_device.config_doc import render

    assert (ROOT / "firmware_config" / "KIOSK_CONFIG.md").read_text().strip() == render().strip()
    example = ROOT / "firmware_config" / "kiosk.example.toml"
    config = load_config(example)
    assert config.device_id == "kiosk-01" and config.liveness.min_frames == 20
