"""CSRF: forms and session-authenticated API writes need the token; bearer calls do not."""

import re

from tests.conftest import PASSWORD, token_for


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_csrf_is_enforced(app, account):
    app.config["WTF_CSRF_ENABLED"] = True
    acc = account("patient")
    c = app.test_client()
    resp = c.post("/auth/login", data={"email": acc.email, "password": PASSWORD})
    assert resp.status_code == 400 and "Reload the page" in resp.get_data(as_text=True)
    token = _token(c.get("/auth/login").get_data(as_text=True))
    resp = c.post(
        "/auth/login", data={"email": acc.email, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    # the session may call the API, but writes need the token in a header
    body = {"kind": "feedback", "subject": "s", "text": "t"}
    assert c.post("/api/v1/feedback", json=body).status_code == 400
    token = _token(c.get("/feedback/").get_data(as_text=True))
    assert c.post("/api/v1/feedback", json=body, headers={"X-CSRFToken": token}).status_code == 201
    # a bearer token needs no CSRF token
    bare = app.test_client()
    assert bare.post("/api/v1/feedback", json=body, headers=token_for(bare, acc)).status_code == 201
