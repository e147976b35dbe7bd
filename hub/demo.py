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
    _field_care()
    _clinic()
    return logins


def _clinic() -> None:
    """A small pharmacy (catalogue, batches, one near expiry, one low) and a consultation
    with a pending prescription for the demo patient. Made once."""
    from datetime import timedelta

    from hub.clinic import services as clinic
    from hub.patients.services import patient_of_user
    from hub.pharmacy import services as pharmacy
    from hub.pharmacy.models import Medicine

    if db.session.scalar(db.select(Medicine.id).limit(1)) is not None:
        return
    today = date.today()
    pharmacist = services.user_by_email("pharmacist@demo.smartcare")
    doctor = services.user_by_email("doctor@demo.smartcare")
    stock = [
        ("Paracetamol", "500 mg", "tablet", 200, [("PCM-2401", 400, 30), ("PCM-2409", 1000, 420)]),
        ("Amoxicillin", "250 mg", "capsule", 100, [("AMX-118", 300, 300)]),
        ("ORS", "20.5 g", "sachet", 150, [("ORS-77", 90, 200)]),
        ("Metformin", "500 mg", "tablet", 300, [("MET-5", 1200, 500)]),
        ("Iron and folic acid", "100 mg + 0.5 mg", "tablet", 500, [("IFA-31", 2000, 365)]),
    ]
    meds = {}
    for name, strength, form, reorder, batches in stock:
        med = pharmacy.create_medicine(
            name=name, strength=strength, form=form, reorder_level=reorder
        )
        meds[name] = med.id
        for batch_no, qty, days in batches:
            pharmacy.receive(
                medicine_id=med.id, batch_no=batch_no, expiry=today + timedelta(days=days),
                quantity=qty, supplier="KMSCL", received_on=today, user_id=pharmacist.id,
            )  # fmt: skip
    patient = patient_of_user(services.user_by_email("patient@demo.smartcare"))
    consultation = clinic.record_consultation(
        patient, doctor_id=doctor.id, complaint="Fever and sore throat for 2 days",
        findings="Temp 38.4 C, congested throat", diagnosis="Acute pharyngitis", icd10="J02.9",
    )  # fmt: skip
    clinic.prescribe(
        patient,
        doctor_id=doctor.id,
        consultation_id=consultation.id,
        items=[
            clinic.ItemIn(meds["Paracetamol"], "500 mg", "1-1-1", 3, 9, "after food"),
            clinic.ItemIn(meds["Amoxicillin"], "250 mg", "1-1-1", 5, 15),
        ],
    )


def _field_care() -> None:
    """A small village for the field-care pages: an ASHA's households, children on the UIP
    schedule with doses, a growth record, a pregnancy and a bedridden patient with visits.
    Made once (skipped when the ASHA already covers someone)."""
    from datetime import timedelta

    from hub.growth import services as growth
    from hub.patients.models import Patient
    from hub.patients.services import create_patient
    from hub.vaccination import schedule
    from hub.vaccination import services as vaccination
    from hub.visits import services as visits

    asha = services.user_by_email("asha@demo.smartcare")
    phn = services.user_by_email("phn@demo.smartcare")
    jhi = services.user_by_email("jhi@demo.smartcare")
    if db.session.scalar(db.select(Patient.id).where(Patient.asha_id == asha.id).limit(1)):
        return
    today = date.today()
    people = [
        ("Kavya", 400, "female", "Ward 1", "House 4 (Rajan)"),
        ("Arun", 75, "male", "Ward 1", "House 4 (Rajan)"),
        ("Nila", 230, "female", "Ward 2", "House 9 (Mohan)"),
        ("Devika", 700, "female", "Ward 2", "House 11 (Babu)"),
    ]
    children = []
    for name, days, sex, area, house in people:
        child = create_patient(
            name=name, date_of_birth=today - timedelta(days=days), sex=sex, area=area,
            household=house, guardian_name=house.split("(")[1].rstrip(")"), asha_id=asha.id,
        )  # fmt: skip
        db.session.commit()
        vaccination.register(child, schedule.CHILD, registered_by_id=jhi.id)
        children.append(child)
    for child in children:
        ben = vaccination.pick_beneficiary(child)
        for state in vaccination.states(ben):
            if state.status in (schedule.DUE, schedule.OVERDUE) and len(state.code) < 8:
                if child.name == "Nila" and state.code.startswith("penta"):
                    continue  # a defaulter for the lists
                vaccination.record_dose(
                    ben, dose=state.code, given_on=state.due_on, batch="DEMO-01",
                    site="Sub-centre 1", given_by_id=phn.id,
                )  # fmt: skip
                ben = vaccination.pick_beneficiary(child)
    growth.record(children[0], measured_on=today, weight_kg=7.4, height_cm=72.0, muac_cm=12.2,
                  recorded_by_id=asha.id)  # fmt: skip
    growth.record(children[3], measured_on=today, weight_kg=10.6, height_cm=83.0,
                  recorded_by_id=asha.id)  # fmt: skip
    mother = create_patient(
        name="Revathi", date_of_birth=date(1999, 8, 1), sex="female", area="Ward 1",
        household="House 4 (Rajan)", asha_id=asha.id,
    )  # fmt: skip
    grandpa = create_patient(
        name="Velayudhan", date_of_birth=date(1941, 3, 3), sex="male", area="Ward 2",
        household="House 9 (Mohan)", asha_id=asha.id,
    )  # fmt: skip
    db.session.commit()
    visits.create_plan(mother, kind="antenatal", asha_id=asha.id, by_id=phn.id,
                       edd=today + timedelta(weeks=22))  # fmt: skip
    vaccination.register(mother, schedule.PREGNANCY, edd=today + timedelta(weeks=22),
                         registered_by_id=jhi.id)  # fmt: skip
    visits.create_plan(grandpa, kind="bedridden", asha_id=asha.id, by_id=phn.id, every_days=14,
                       starts_on=today - timedelta(days=3))  # fmt: skip
