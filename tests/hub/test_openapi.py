import re

from hub.access import PUBLIC


def test_every_api_route_is_described(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)[len("/api/v1") :]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, (path, method)
    # the minimum set
    for path, method in [
        ("/auth/register", "post"),
        ("/auth/login", "post"),
        ("/me", "get"),
        ("/patients/{health_id}", "get"),
        ("/doctors", "get"),
        ("/patients/{health_id}/lab-reports", "post"),
        ("/patients/{health_id}/lab-reports", "get"),
        ("/lab-reports/{report_id}/file", "get"),
        ("/feedback", "post"),
        ("/feedback", "get"),
        ("/feedback/{item_id}", "patch"),
        ("/admin/users", "post"),
        ("/admin/users/{user_id}", "patch"),
        ("/audit", "get"),
        # field care (issue 5)
        ("/patients", "post"),
        ("/visits", "post"),
        ("/visits", "get"),
        ("/visits/{visit_id}", "patch"),
        ("/vaccination/beneficiaries", "post"),
        ("/patients/{health_id}/immunizations", "get"),
        ("/patients/{health_id}/immunizations", "post"),
        ("/vaccination/coverage", "get"),
        ("/patients/{health_id}/growth", "post"),
        # clinic and pharmacy (issue 6)
        ("/patients/{health_id}/history", "get"),
        ("/patients/{health_id}/fhir", "get"),
        ("/consultations", "post"),
        ("/prescriptions", "post"),
        ("/prescriptions", "get"),
        ("/prescriptions/{prescription_id}/dispense", "post"),
        ("/medicines", "get"),
        ("/medicines", "post"),
        ("/stock/receipts", "post"),
        ("/stock", "get"),
    ]:
        assert (path, method) in described, (path, method)


def test_request_bodies_resolve_and_roles_are_listed(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    register = doc["paths"]["/auth/register"]["post"]
    ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[1]
    assert set(schemas[name]["required"]) >= {"name", "email", "password", "date_of_birth", "sex"}
    assert register["x-roles"] == [PUBLIC]
    assert doc["paths"]["/audit"]["get"]["x-roles"] == ["admin"]
    for ops in doc["paths"].values():
        for op in ops.values():
            for ref in re.findall(
                r'"\$ref": "#/components/schemas/(\w+)"', str(op).replace("'", '"')
            ):
                assert ref in schemas
