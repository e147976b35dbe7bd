from hub.auth.models import User
from hub.extensions import db


def test_create_user_and_seed_demo(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--role",
            "doctor",
            "--email",
            "D@x.org",
            "--name",
            "Dr X",
            "--password-stdin",
        ],
        input="long password\n",
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "create-user",
            "--role",
            "doctor",
            "--email",
            "d@x.org",
            "--name",
            "Dr X",
            "--password-stdin",
        ],
        input="long password\n",
    )
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(
        args=[
            "create-user",
            "--role",
            "phn",
            "--email",
            "p@x.org",
            "--name",
            "P",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code != 0 and "at least 8" in result.output
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for role in (
        "Administrator",
        "Doctor",
        "Public health nurse",
        "Junior health inspector",
        "ASHA worker",
        "Pharmacist",
        "Patient",
    ):
        assert role in result.output
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 10
    # the demo village for the field-care pages, made once
    with app.app_context():
        from hub.patients.models import Patient
        from hub.vaccination.services import due_list
        from hub.visits.models import Visit

        asha = db.session.scalar(db.select(User).where(User.email == "asha@demo.smartcare"))
        assert db.session.scalar(
            db.select(db.func.count(Patient.id)).where(Patient.asha_id == asha.id)
        ) == 6  # fmt: skip
        assert db.session.scalar(db.select(db.func.count(Visit.id))) > 4
        assert any(r.defaulter for r in due_list(asha_id=asha.id))
    # the printed password works
    line = next(row for row in again.output.splitlines() if "patient@demo" in row)
    email, password = line.split()[-2:]
    resp = app.test_client().post("/api/v1/auth/login", json={"email": email, "password": password})
    assert resp.status_code == 200
