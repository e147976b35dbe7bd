"""Fixtures for end-to-end runs: a private Mosquitto, kiosk bundles, face enrolment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hub.extensions import db
from hub.staff.models import StaffProfile
from protocol import generate_key, private_key_pem, public_key_pem
from tests.conftest import SHARED_FACES
from tests.helpers import register_device
from tests.mqtt_support import Mosquitto

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(tmp_path):
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


def write_kiosk(
    app, folder: Path, device_id: str, broker_url: str, *, site_id="phc-main", extra: str = ""
) -> Path:
    """Register a device in the hub and write its bundle (keys + kiosk.toml)."""
    from hub.keys import hub_key

    folder.mkdir(parents=True, exist_ok=True)
    key = generate_key()
    (folder / "device_key.pem").write_bytes(private_key_pem(key))
    os.chmod(folder / "device_key.pem", 0o600)
    with app.app_context():
        (folder / "hub_public_key.pem").write_bytes(public_key_pem(hub_key()))
    register_device(app, device_id, key, site_id)
    config = folder / "kiosk.toml"
    config.write_text(f"""
device_id = "{device_id}"
site_id = "{site_id}"

[mqtt]
url = "{broker_url}"
resend_after_s = 2.0

[keys]
device_key_file = "device_key.pem"
hub_public_key_file = "hub_public_key.pem"

[storage]
data_dir = "data"

[heartbeat]
interval_s = 2
{extra}
""")
    return config


def enrol_from_shared(app, account, folder: str) -> None:
    from faces.stills import image_files
    from hub.staff.faces import enrol_photo

    with app.test_request_context():
        profile = db.session.scalar(
            db.select(StaffProfile).where(StaffProfile.user_id == account.id)
        )
        for photo in image_files(SHARED_FACES / folder):
            enrol_photo(profile, photo.read_bytes(), None)


def python_env(app, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SMARTCARE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SMARTCARE_SECRET_KEY": "test",
            "SMARTCARE_HUB_KEY_FILE": app.config["HUB_KEY_FILE"],
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


PY = sys.executable
