"""Accounts and sign-in."""

from __future__ import annotations

from flask import Flask, g, request

from hub.auth.routes import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from hub.auth.models import User
    from hub.auth.services import user_for_token
    from hub.extensions import db, login

    login.login_view = "auth.login"
    login.login_message = "Please log in to see that page."
    login.session_protection = "basic"

    @login.user_loader
    def _load(user_key: str) -> User | None:
        try:
            user_id, version = (int(p) for p in user_key.split(":"))
        except ValueError:
            return None
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or user.session_version != version:
            return None
        return user

    @login.request_loader
    def _from_bearer(req) -> User | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        user = user_for_token(header[7:].strip())
        if user is not None:
            g.via_token = True
        return user
