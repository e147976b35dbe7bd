"""Demo data for ``smartcare-hub seed-demo`` (idempotent; passwords renewed each run)."""

from __future__ import annotations

import secrets
from datetime import date

from hub.access import ADMIN, ASHA, DOCTOR, JHI, PATIENT, PHARMACIST, PHN
from hub.auth import services
from hub.auth.models import ACTIVE
from hub.extensions import db
from hub.staff.models import StaffProfile

DEMO_STAFF = [
    (ADMIN, "admin@demo.smartcare", "Asha Admin", None, None),
    (DOCTOR, "doctor@demo.smartcare", "Dr. Meera Nair", "General medicine", "Mon-Sat 09:00-13:00"),
    (DOCTOR, "paeds@demo.smartcare", "Dr. Arjun Menon", "Paediatrics", "Mon, Wed, Fri 14:00-17:00"),
    (
        DOCTOR,
        "obgyn@demo.smartcare",
        "Dr. Fathima Rahman",
        "Obstetrics and gynaecology",
        "Tue, Thu 09:00-12:00",
    ),
    (PHN, "phn@demo.smartcare", "Lakshmi Pillai", None, None),
    (JHI, "jhi@demo.smartcare", "Suresh Kumar", None, None),
    (ASHA, "asha@demo.smartcare", "Anitha Devi", None, None),
    (PHARMACIST, "pharmacist@demo.smartcare", "Joseph Thomas", None, None),
]
DEMO_PATIENT = ("patient@demo.smartcare", "Ravi Shankar", date(1988, 4, 12), "male")


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(8)


def seed() -> list[tuple[str, str, str]]:
    """Create the demo accounts if missing, set fresh passwords, return the logins."""
    logins = []
    for role, email, name, specialisation, hours in DEMO_STAFF:
        password = _password()
        user = services.user_by_email(email)
        if user is None:
            user = services.create_staff(
                name=name,
                email=email,
                role=role,
                password=password,
                specialisation=specialisation,
                consultation_hours=hours,
                area="Ward 1",
            )
        else:
            user.password_hash = services.hash_password(password)
            user.status = ACTIVE
        logins.append((role, email, password))
    email, name, dob, sex = DEMO_PATIENT
    password = _password()
    user = services.user_by_email(email)
    if user is None:
        patient = services.register_patient(
            name=name,
            email=email,
            password=password,
            date_of_birth=dob,
            sex=sex,
            phone="9847000000",
        )
        user = patient.user
    user.password_hash = services.hash_password(password)
    user.status = ACTIVE
    logins.append((PATIENT, email, password))
    db.session.commit()
    assert db.session.scalar(db.select(StaffProfile).limit(1)) is not None
    return logins
