"""CSRF: forms and session-authenticated API writes need the token; bearer calls do not."""

import re

from tests.conftest import PASSWORD, token_for


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


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


def test_plain_forms_need_the_token_too(app, account):
    """The clinic, pharmacy and visit pages post hand-written forms: CSRFProtect guards
    them like the WTForms ones."""
    app.config["WTF_CSRF_ENABLED"] = True
    for role, path, data in (
        ("pharmacist", "/pharmacy/stock", {"action": "medicine", "name": "X", "strength": "1",
                                           "form": "tablet"}),
        ("doctor", "/clinic/", {}),
        ("phn", "/visits/", {"health_id": "1"}),
    ):  # fmt: skip
        acc = account(role)
        c = app.test_client()
        token = _token(c.get("/auth/login").get_data(as_text=True))
        c.post("/auth/login", data={"email": acc.email, "password": PASSWORD, "csrf_token": token})
        resp = c.post(path, data=data)
        assert resp.status_code in (400, 405), (path, resp.status_code)
        if resp.status_code == 400:
            assert "Reload the page" in resp.get_data(as_text=True)
    pharmacist = account("pharmacist")
    c = app.test_client()
    token = _token(c.get("/auth/login").get_data(as_text=True))
    c.post("/auth/login", data={"email": pharmacist.email, "password": PASSWORD,
                                "csrf_token": token})  # fmt: skip
    token = _token(c.get("/pharmacy/stock").get_data(as_text=True))
    resp = c.post("/pharmacy/stock", data={"action": "medicine", "name": "Zinc",
                  "strength": "20 mg", "form": "tablet", "csrf_token": token})  # fmt: skip
    assert resp.status_code == 302
