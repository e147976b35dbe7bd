"""Accounts: registration, passwords, login with a rate limit, tokens, member status."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func

from hub.access import CREATABLE_ROLES, DOCTOR, PATIENT, STAFF_ROLES
from hub.audit.services import record
from hub.auth.models import ACTIVE, DEACTIVATED, PENDING, ApiToken, LoginFailure, User
from hub.errors.exceptions import Conflict, ServiceError, TooManyRequests, Unauthorized
from hub.extensions import db
from hub.patients.models import Patient
from hub.patients.services import create_patient
from hub.staff.models import StaffProfile
from hub.timeutil import utcnow

logger = logging.getLogger(__name__)

MIN_PASSWORD = 8
_hashers: dict[tuple[int, int], tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    """The argon2id hasher for the configured cost, and a dummy hash made with it (verified
    against when the e-mail is unknown, so both paths cost one argon2 check)."""
    key = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"])
    if key not in _hashers:
        hasher = PasswordHasher(time_cost=key[0], memory_cost=key[1])
        _hashers[key] = (hasher, hasher.hash("not-a-real-password"))
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(user_hash: str, password: str) -> bool:
    try:
        return _hasher()[0].verify(user_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(
            "Password too short.", {field: f"Use at least {MIN_PASSWORD} characters."}
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def _new_user(
    *, email: str, name: str, role: str, password: str, phone: str | None, status: str
) -> User:
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise Conflict(
            "E-mail already registered.", {"email": "An account with this e-mail already exists."}
        )
    check_password_strength(password)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        phone=phone,
        password_hash=hash_password(password),
        status=status,
    )
    db.session.add(user)
    return user


def register_patient(
    *, name: str, email: str, password: str, date_of_birth: date, sex: str, phone: str | None
) -> Patient:
    """Self-registration: an account (pending approval unless configured otherwise) and a
    patient record with a fresh health ID."""
    status = ACTIVE if current_app.config["AUTO_APPROVE_PATIENTS"] else PENDING
    user = _new_user(
        email=email, name=name, role=PATIENT, password=password, phone=phone, status=status
    )
    patient = create_patient(
        name=name, date_of_birth=date_of_birth, sex=sex, phone=phone, user=user
    )
    db.session.commit()
    logger.info("patient registered user=%s", user.id)
    return patient


def next_staff_code(role: str) -> str:
    prefix = role.upper()
    count = db.session.scalar(db.select(func.count(StaffProfile.id))) or 0
    while True:
        count += 1
        code = f"{prefix}-{count:04d}"
        if (
            db.session.scalar(db.select(StaffProfile.id).where(StaffProfile.staff_code == code))
            is None
        ):
            return code


def create_staff(
    *,
    name: str,
    email: str,
    role: str,
    password: str,
    phone: str | None = None,
    specialisation: str | None = None,
    consultation_hours: str | None = None,
    area: str | None = None,
    staff_code: str | None = None,
) -> User:
    """An admin creates a staff or admin account, active at once."""
    if role not in CREATABLE_ROLES:
        raise ServiceError(
            "Unknown role.", {"role": f"Choose one of {', '.join(CREATABLE_ROLES)}."}
        )
    user = _new_user(
        email=email, name=name, role=role, password=password, phone=phone, status=ACTIVE
    )
    if role in STAFF_ROLES:
        if staff_code and db.session.scalar(
            db.select(StaffProfile.id).where(StaffProfile.staff_code == staff_code)
        ):
            raise Conflict("Staff code in use.", {"staff_code": "This staff code is taken."})
        db.session.add(
            StaffProfile(
                user=user,
                staff_code=staff_code or next_staff_code(role),
                specialisation=(specialisation or None) if role == DOCTOR else None,
                consultation_hours=(consultation_hours or None) if role == DOCTOR else None,
                area=area or None,
            )
        )
    db.session.flush()
    record("member.create", target_user_id=user.id, detail=f"role={role}")
    db.session.commit()
    return user


def _recent_failures(email: str) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    return (
        db.session.scalar(
            db.select(func.count(LoginFailure.id)).where(
                LoginFailure.email == email, LoginFailure.at >= utcnow() - window
            )
        )
        or 0
    )


def authenticate(email: str, password: str, ip: str | None) -> User:
    """Check a login. Raises ``Unauthorized`` (bad credentials or an account that may not
    log in) or ``TooManyRequests`` (rate limit)."""
    email = normalise_email(email)
    if _recent_failures(email) >= current_app.config["LOGIN_MAX_FAILURES"]:
        logger.warning("login rate limit hit for an account ip=%s", ip)
        raise TooManyRequests("Too many failed logins. Wait a few minutes and try again.")
    user = user_by_email(email)
    ok = verify_password(user.password_hash if user else _hasher()[1], password)
    if not ok or user is None:
        db.session.add(LoginFailure(email=email, ip=ip or "?"))
        db.session.commit()
        raise Unauthorized("Wrong e-mail or password.")
    if user.status == PENDING:
        raise Unauthorized("Your account is waiting for an administrator's approval.")
    if user.status == DEACTIVATED:
        raise Unauthorized("This account has been deactivated.")
    if _hasher()[0].check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new bearer token for the user; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    days = current_app.config["TOKEN_DAYS"]
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None (one query)."""
    user = db.session.scalar(
        db.select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == _token_hash(token),
            ApiToken.revoked.is_(False),
            ApiToken.expires_at > utcnow(),
        )
    )
    return user if user is not None and user.is_active else None


def revoke_tokens(user: User) -> None:
    db.session.execute(db.update(ApiToken).where(ApiToken.user_id == user.id).values(revoked=True))


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError(
            "Current password is wrong.", {"current_password": "This is not your current password."}
        )
    check_password_strength(new, "new_password")
    user.password_hash = hash_password(new)
    user.session_version += 1  # other sessions end
    revoke_tokens(user)
    db.session.commit()


def set_status(user: User, status: str) -> None:
    """Approve (active) or deactivate a member; deactivation ends sessions and tokens."""
    if status not in (ACTIVE, DEACTIVATED):
        raise ServiceError("Unknown status.", {"status": "Use active or deactivated."})
    if user.status == status:
        return
    previous, user.status = user.status, status
    if status == DEACTIVATED:
        user.session_version += 1
        revoke_tokens(user)
    record(
        "member.approve" if previous == PENDING and status == ACTIVE else f"member.{status}",
        target_user_id=user.id,
        detail=f"{previous} -> {status}",
    )
    db.session.commit()
