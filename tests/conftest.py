"""Shared fixtures: the app on SQLite (default) or on PostgreSQL when
``SMARTCARE_TEST_DATABASE_URL`` is set, a client, and log-in helpers for every role."""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub import create_app
from hub.access import PATIENT
from hub.extensions import db

SHARED_FACES = Path(__file__).resolve().parents[1].parent / "shared" / "faces"
PG_URL = os.environ.get("SMARTCARE_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def pytest_report_header(config) -> str:
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (per-test file)'}"


def _clean_postgres(app: Flask) -> None:
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


_pg_schema_ready = False


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    global _pg_schema_ready
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,  # tests/hub/test_csrf.py turns it on
        "AUTO_APPROVE_PATIENTS": False,
        # Still argon2id, at a cost that keeps hundreds of logins in the suite quick.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
    }
    application = create_app(config)
    with application.app_context():
        if PG_URL:
            if not _pg_schema_ready:
                db.drop_all()
                db.create_all()
                _pg_schema_ready = True
        else:
            db.create_all()
    if PG_URL:
        _clean_postgres(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@dataclass
class Account:
    id: int
    email: str
    role: str
    name: str
    health_id: str | None = None
    staff_code: str | None = None


def make_account(app: Flask, role: str, *, name: str | None = None, **extra) -> Account:
    """Create an active account of the role (a patient gets a patient record)."""
    from hub.auth import services
    from hub.auth.models import ACTIVE

    n = next(_counter)
    email = f"{role}{n}@test.smartcare"
    name = name or f"{role.title()} Person {n}"
    with app.app_context():
        if role == PATIENT:
            patient = services.register_patient(
                name=name,
                email=email,
                password=PASSWORD,
                date_of_birth=date(1990, 1, 2),
                sex="female",
                phone=None,
            )
            patient.user.status = ACTIVE
            db.session.commit()
            return Account(patient.user.id, email, role, name, health_id=patient.health_id)
        user = services.create_staff(name=name, email=email, role=role, password=PASSWORD, **extra)
        from hub.staff.models import StaffProfile

        profile = db.session.scalar(db.select(StaffProfile).where(StaffProfile.user_id == user.id))
        return Account(
            user.id, email, role, name, staff_code=profile.staff_code if profile else None
        )


def login(client: FlaskClient, account: Account) -> None:
    resp = client.post("/auth/login", data={"email": account.email, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def token_for(client: FlaskClient, account: Account) -> dict[str, str]:
    resp = client.post("/api/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


@pytest.fixture
def account(app: Flask):
    """``account(role)`` makes an active account of that role."""
    return lambda role, **kw: make_account(app, role, **kw)


@pytest.fixture
def logged_in(app: Flask):
    """``logged_in(role)`` -> (client logged in as a new account of that role, account)."""

    def _make(role: str, **kw):
        acc = make_account(app, role, **kw)
        c = app.test_client()
        login(c, acc)
        return c, acc

    return _make


# Smallest real files of each accepted type, and one that is not.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def file_upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name
