from datetime import timedelta

from hub.auth.models import ApiToken, User
from hub.extensions import db
from hub.timeutil import utcnow
from tests.conftest import PASSWORD, login, token_for

REG = {
    "name": "Kavya R",
    "email": "Kavya@Example.org",
    "password": "long enough pw",
    "date_of_birth": "1995-06-01",
    "sex": "female",
    "phone": "98470 12345",
}


def test_register_gives_health_id_and_waits_for_approval(client, app, logged_in):
    resp = client.post("/api/v1/auth/register", json=REG)
    assert resp.status_code == 201
    body = resp.get_json()
    assert len(body["health_id"]) == 14 and body["user"]["status"] == "pending"
    # pending: no login yet
    resp = client.post(
        "/api/v1/auth/login", json={"email": "kavya@example.org", "password": REG["password"]}
    )
    assert resp.status_code == 401 and "approval" in resp.get_json()["error"]
    admin, _ = logged_in("admin")
    resp = admin.patch(f"/api/v1/admin/users/{body['user']['id']}", json={"active": True})
    assert resp.status_code == 200 and resp.get_json()["status"] == "active"
    resp = client.post(
        "/api/v1/auth/login", json={"email": "KAVYA@example.org", "password": REG["password"]}
    )
    assert resp.status_code == 200
    assert resp.get_json()["user"]["role"] == "patient"


def test_register_validation_and_duplicates(client):
    bad = dict(REG, email="not-an-email", sex="x", date_of_birth="2990-01-01", extra=1)
    resp = client.post("/api/v1/auth/register", json=bad)
    assert resp.status_code == 400
    fields = resp.get_json()["fields"]
    assert {"email", "sex", "extra"} <= set(fields)
    future = dict(REG, date_of_birth="2990-01-01")
    resp = client.post("/api/v1/auth/register", json=future)
    assert resp.status_code == 400 and "date_of_birth" in resp.get_json()["fields"]
    assert client.post("/api/v1/auth/register", json=REG).status_code == 201
    resp = client.post("/api/v1/auth/register", json=dict(REG, email="kavya@example.ORG"))
    assert resp.status_code == 409 and "email" in resp.get_json()["fields"]
    resp = client.post("/api/v1/auth/register", data="nonsense", content_type="text/plain")
    assert resp.status_code == 400 and "JSON" in resp.get_json()["error"]


def test_passwords_are_argon2_hashed(app, account):
    acc = account("doctor")
    with app.app_context():
        user = db.session.get(User, acc.id)
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_register_form_shows_field_errors(client):
    resp = client.post(
        "/auth/register",
        data={
            "name": "",
            "email": "bad",
            "password": "short",
            "confirm": "other",
            "sex": "female",
            "date_of_birth": "",
        },
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert page.count('class="error"') >= 3
    assert "Passwords differ." in page


def test_login_rate_limit(client, account):
    acc = account("phn")
    for _ in range(5):
        resp = client.post("/api/v1/auth/login", json={"email": acc.email, "password": "wrong!"})
        assert resp.status_code == 401
    resp = client.post("/api/v1/auth/login", json={"email": acc.email, "password": PASSWORD})
    assert resp.status_code == 429
    # the web form says the same
    resp = client.post("/auth/login", data={"email": acc.email, "password": PASSWORD})
    assert resp.status_code == 429 and "Too many" in resp.get_data(as_text=True)


def test_deactivated_account_loses_login_session_and_token(app, client, account, logged_in):
    acc = account("asha")
    headers = token_for(client, acc)
    user_client = app.test_client()
    login(user_client, acc)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert user_client.get("/dashboard").status_code == 200
    admin, _ = logged_in("admin")
    assert admin.patch(f"/api/v1/admin/users/{acc.id}", json={"active": False}).status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    resp = user_client.get("/dashboard")
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]
    resp = client.post("/api/v1/auth/login", json={"email": acc.email, "password": PASSWORD})
    assert resp.status_code == 401 and "deactivated" in resp.get_json()["error"]
    # the action is audit-logged
    audit = admin.get("/api/v1/audit?action=member.deactivated").get_json()["items"]
    assert [e["target_user_id"] for e in audit] == [acc.id]


def test_expired_token_is_refused(app, client, account):
    acc = account("jhi")
    headers = token_for(client, acc)
    with app.app_context():
        db.session.execute(db.update(ApiToken).values(expires_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_password_change_ends_other_sessions(app, logged_in, client):
    c, acc = logged_in("doctor")
    headers = token_for(client, acc)
    other = app.test_client()
    login(other, acc)
    resp = c.post(
        "/auth/password",
        data={
            "current_password": "wrong-one",
            "new_password": "a new password",
            "confirm": "a new password",
        },
    )
    assert "not your current password" in resp.get_data(as_text=True)
    resp = c.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new password",
            "confirm": "a new password",
        },
    )
    assert resp.status_code == 302
    assert c.get("/dashboard").status_code == 200  # this session goes on
    assert other.get("/dashboard").status_code == 302  # the other one ended
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_logout(logged_in):
    c, _ = logged_in("pharmacist")
    assert c.get("/dashboard").status_code == 200
    assert c.post("/auth/logout").status_code == 302
    assert c.get("/dashboard").status_code == 302


def test_open_redirect_is_refused(client, account):
    acc = account("doctor")
    resp = client.post(
        "/auth/login?next=https://evil.example/x", data={"email": acc.email, "password": PASSWORD}
    )
    assert resp.headers["Location"].endswith("/dashboard")


def test_me(client, account):
    patient = account("patient")
    body = client.get("/api/v1/me", headers=token_for(client, patient)).get_json()
    assert body["health_id"] == patient.health_id and body["role"] == "patient"
    doc = account("doctor")
    body = client.get("/api/v1/me", headers=token_for(client, doc)).get_json()
    assert body["staff_id"] == doc.staff_code and body["staff_id"].startswith("DOCTOR-")
