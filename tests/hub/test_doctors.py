from tests.conftest import token_for


def test_search_by_any_part_of_the_name(client, account):
    account(
        "doctor",
        name="Dr. Meera Nair",
        specialisation="General medicine",
        consultation_hours="Mon-Sat 09:00-13:00",
    )
    account("doctor", name="Dr. Arjun NAIRAJ")
    account("doctor", name="Dr. Fathima Rahman")
    account("phn", name="Nair the nurse")  # not a doctor
    headers = token_for(client, account("patient"))

    def names(q):
        items = client.get(f"/api/v1/doctors?q={q}", headers=headers).get_json()["items"]
        return [d["name"] for d in items]

    assert names("nair") == ["Dr. Arjun NAIRAJ", "Dr. Meera Nair"]
    assert names("EERA") == ["Dr. Meera Nair"]
    assert names("xyz") == []
    assert names("%") == []  # a LIKE wildcard is taken literally
    body = client.get("/api/v1/doctors?q=meera", headers=headers).get_json()["items"][0]
    assert body["specialisation"] == "General medicine"
    assert body["consultation_hours"] == "Mon-Sat 09:00-13:00"


def test_pagination(client, account):
    for i in range(25):
        account("doctor", name=f"Dr. Test {i:02d}")
    headers = token_for(client, account("patient"))
    first = client.get("/api/v1/doctors?q=test&per_page=10", headers=headers).get_json()
    assert first["total"] == 25 and first["pages"] == 3 and len(first["items"]) == 10
    last = client.get("/api/v1/doctors?q=test&per_page=10&page=3", headers=headers).get_json()
    assert [d["name"] for d in last["items"]] == [f"Dr. Test {i}" for i in range(20, 25)]
    assert client.get("/api/v1/doctors?page=x", headers=headers).status_code == 400


def test_doctor_page(logged_in, account):
    account("doctor", name="Dr. Zed Quux", specialisation="Paediatrics")
    c, _ = logged_in("patient")
    page = c.get("/doctors?q=quux").get_data(as_text=True)
    assert "Dr. Zed Quux" in page and "Paediatrics" in page
