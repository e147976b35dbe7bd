"""The SmartCare hub: a Flask application built by ``create_app``."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from hub.config import HubSettings, load_secret_key

__version__ = "0.1.0"

logger = logging.getLogger(__name__)


def _config_from_settings(settings: HubSettings, instance_path: Path) -> dict[str, Any]:
    db_url = settings.database_url or f"sqlite:///{instance_path / 'smartcare.db'}"
    max_bytes = settings.max_upload_mb * 1024 * 1024
    return {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}
        if db_url.startswith("postgres")
        else {},
        "SECRET_KEY": settings.secret_key or load_secret_key(instance_path),
        "UPLOAD_DIR": str(settings.upload_dir or instance_path / "uploads"),
        "MAX_UPLOAD_BYTES": max_bytes,
        # The form around the file needs a little room; the file itself is checked exactly.
        "MAX_CONTENT_LENGTH": max_bytes + 256 * 1024,
        "LOGIN_MAX_FAILURES": settings.login_max_failures,
        "LOGIN_WINDOW_MINUTES": settings.login_window_minutes,
        "AUTO_APPROVE_PATIENTS": settings.auto_approve_patients,
        "TOKEN_DAYS": settings.token_days,
        # argon2id cost: argon2-cffi's defaults (RFC 9106 low-memory profile) unless set.
        "ARGON2_TIME_COST": settings.argon2_time_cost,
        "ARGON2_MEMORY_KIB": settings.argon2_memory_kib,
        "MQTT_URL": settings.mqtt_url,
        "FACE_BACKEND": settings.face_backend,
        "SITE_ID": settings.site_id,
        "TIMEZONE": settings.timezone,
        "SHIFT_START": settings.shift_start,
        "SHIFT_END": settings.shift_end,
        "LATE_GRACE_MINUTES": settings.late_grace_minutes,
        "HUB_KEY_FILE": str(settings.hub_key_file or instance_path / "hub_signing_key.pem"),
        "MAX_CLOCK_SKEW_S": settings.max_clock_skew_s,
        "MQTT_CLIENT_ID": settings.mqtt_client_id or f"smartcare-hub-ingest-{socket.gethostname()}",
        "MQTT_PASSWORD_FILE": settings.mqtt_password_file,
        "MQTT_SHARED": settings.mqtt_shared,
        "MQTT_PROTOCOL": settings.mqtt_protocol,
        "MQTT_CA_FILE": settings.mqtt_ca_file,
        "MQTT_CERT_FILE": settings.mqtt_cert_file,
        "MQTT_KEY_FILE": settings.mqtt_key_file,
        "DEVICE_OFFLINE_MINUTES": settings.device_offline_minutes,
        "JE_ENDEMIC": settings.je_endemic,
        "VISIT_HORIZON_DAYS": settings.visit_horizon_days,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": settings.cookie_secure,
        "REMEMBER_COOKIE_SECURE": settings.cookie_secure,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open over lunch still posts
    }


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys on, WAL so readers never block the ingest writer, and a busy timeout.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


#: Everything is served by the hub itself: no CDN, no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the hub. ``test_config`` overrides the settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(_config_from_settings(HubSettings(), instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from hub import access, models  # noqa: F401  (models: every table known to Alembic)
    from hub.extensions import csrf, db, login, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    login.init_app(app)
    access.init_app(app)
    app.after_request(_security_headers)

    from hub import (
        admin,
        api,
        attendance,
        audit,
        auth,
        devices,
        errors,
        feedback,
        labs,
        patients,
        staff,
        surveillance,
        views,
    )
    from hub.clinic import routes as clinic
    from hub.growth import routes as growth
    from hub.pharmacy import routes as pharmacy
    from hub.vaccination import routes as vaccination
    from hub.visits import routes as visits

    errors.init_app(app)
    auth.init_app(app)
    for module in (
        views,
        auth,
        patients,
        labs,
        staff,
        feedback,
        admin,
        audit,
        attendance,
        devices,
        surveillance,
        visits,
        vaccination,
        growth,
        clinic,
        pharmacy,
    ):
        app.register_blueprint(module.bp)
    api.init_app(app)

    from hub.templating import init_app as init_templating

    init_templating(app)
    from hub import cli

    cli.init_app(app)
    access.check_declarations(app)
    return app
