from tests.conftest import token_for


def test_feedback_workflow_and_anonymity(client, account, logged_in):
    patient = account("patient")
    headers = token_for(client, patient)
    resp = client.post(
        "/api/v1/feedback",
        headers=headers,
        json={
            "kind": "complaint",
            "subject": "Waited 3 hours",
            "text": "At the OP counter",
            "anonymous": True,
        },
    )
    assert resp.status_code == 201
    item = resp.get_json()
    assert item["status"] == "open" and item["submitted_by"] == "you"
    admin, _ = logged_in("admin")
    queue = admin.get("/api/v1/feedback?status=open").get_json()["items"]
    assert [(i["id"], i["submitted_by"]) for i in queue] == [(item["id"], "anonymous")]
    assert patient.name not in admin.get("/feedback/queue").get_data(as_text=True)
    # open -> resolved directly is not allowed; resolving needs a response
    resp = admin.patch(
        f"/api/v1/feedback/{item['id']}", json={"status": "resolved", "response": "ok"}
    )
    assert resp.status_code == 400 and "status" in resp.get_json()["fields"]
    assert (
        admin.patch(f"/api/v1/feedback/{item['id']}", json={"status": "in_progress"}).status_code
        == 200
    )
    resp = admin.patch(f"/api/v1/feedback/{item['id']}", json={"status": "resolved"})
    assert resp.status_code == 400 and "response" in resp.get_json()["fields"]
    resp = admin.patch(
        f"/api/v1/feedback/{item['id']}",
        json={"status": "resolved", "response": "A second counter opens at 9."},
    )
    assert resp.status_code == 200
    mine = client.get("/api/v1/feedback", headers=headers).get_json()["items"]
    assert mine[0]["status"] == "resolved"
    assert mine[0]["response"] == "A second counter opens at 9."
    # closed items stay closed
    resp = admin.patch(f"/api/v1/feedback/{item['id']}", json={"status": "in_progress"})
    assert resp.status_code == 400


def test_named_feedback_shows_submitter_and_users_see_only_their_own(client, account, logged_in):
    a, b = account("asha"), account("patient")
    client.post(
        "/api/v1/feedback",
        headers=token_for(client, a),
        json={"kind": "suggestion", "subject": "Scales", "text": "Need new scales"},
    )
    assert client.get("/api/v1/feedback", headers=token_for(client, b)).get_json()["total"] == 0
    admin, _ = logged_in("admin")
    assert admin.get("/api/v1/feedback").get_json()["items"][0]["submitted_by"].startswith(a.name)


def test_feedback_form_errors(logged_in):
    c, _ = logged_in("doctor")
    resp = c.post("/feedback/", data={"kind": "complaint", "subject": "", "text": ""})
    assert resp.status_code == 200 and resp.get_data(as_text=True).count('class="error"') == 2
    resp = c.post("/feedback/", data={"kind": "feedback", "subject": "Good", "text": "Thanks"})
    assert resp.status_code == 302


def test_admin_works_queue_in_browser_forms(logged_in, client, account):
    p = account("patient")
    item = client.post(
        "/api/v1/feedback",
        headers=token_for(client, p),
        json={"kind": "complaint", "subject": "Dirty toilets", "text": "Ward 2"},
    ).get_json()
    admin, _ = logged_in("admin")
    resp = admin.post(f"/feedback/queue/{item['id']}", data={"status": "rejected", "response": ""})
    assert "A response is needed" in resp.get_data(as_text=True)
    resp = admin.post(
        f"/feedback/queue/{item['id']}", data={"status": "rejected", "response": "Not our building"}
    )
    assert resp.status_code == 302
