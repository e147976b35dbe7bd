"""A patient's record as a FHIR Bundle, built and validated with ``fhir.resources``.

``fhir.resources`` 8 (pydantic 2) carries the R4 line as R4B (4.3.0); the seven resources
used here are the same in R4 (4.0.1) and R4B, so an R4 server reads the Bundle as is.
Each resource is validated by its model when it is built; a wrong field raises.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from hub.clinic.icd10 import lookup as icd10_lookup
from hub.clinic.services import consultations_of, prescriptions_of
from hub.extensions import db
from hub.patients.models import Patient

HEALTH_ID_SYSTEM = "urn:smartcare:health-id"
ABHA_SYSTEM = "https://healthid.abdm.gov.in"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
#: LOINC codes of the growth observations.
GROWTH_CODES = {
    "weight_kg": ("29463-7", "Body weight", "kg"),
    "height_cm": ("8302-2", "Body height", "cm"),
    "head_circumference_cm": ("9843-4", "Head Occipital-frontal circumference", "cm"),
    "muac_cm": ("56072-2", "Circumference Mid upper arm", "cm"),
}
ZSCORE_CODES = {
    "waz": "Weight-for-age z-score (WHO)",
    "haz": "Length/height-for-age z-score (WHO)",
    "whz": "Weight-for-length/height z-score (WHO)",
    "baz": "BMI-for-age z-score (WHO)",
}


def _ref(kind: str, key: Any) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'smartcare/{kind}/{key}')}"


def _ts(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat()


def bundle(patient: Patient) -> dict[str, Any]:
    """Patient, Encounter + Condition per consultation, MedicationRequest per prescribed
    item, MedicationDispense per dispensing, Immunization per dose, Observation per growth
    measurement: a ``collection`` Bundle, validated."""
    from hub.growth.models import GrowthMeasurement
    from hub.pharmacy.models import DISPENSE, StockMovement
    from hub.vaccination.models import Immunization
    from hub.vaccination.schedule import load

    pref = _ref("patient", patient.health_id)
    subject = {"reference": pref, "display": patient.name}
    identifiers = [{"system": HEALTH_ID_SYSTEM, "value": patient.health_id}]
    if patient.abha_number:
        identifiers.append({"system": ABHA_SYSTEM, "value": patient.abha_number})
    resources: list[tuple[str, dict[str, Any]]] = [
        (
            pref,
            {
                "resourceType": "Patient",
                "identifier": identifiers,
                "name": [{"text": patient.name}],
                "gender": patient.sex if patient.sex in ("male", "female", "other") else "unknown",
                "birthDate": patient.date_of_birth.isoformat(),
                **(
                    {"telecom": [{"system": "phone", "value": patient.phone}]}
                    if patient.phone
                    else {}
                ),  # fmt: skip
                **(
                    {"address": [{"text": patient.address or patient.area}]}
                    if patient.address or patient.area
                    else {}
                ),  # fmt: skip
            },
        )
    ]
    for c in consultations_of(patient):
        eref = _ref("encounter", c.id)
        resources.append(
            (
                eref,
                {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "class": {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "AMB",
                        "display": "ambulatory",
                    },
                    "subject": subject,
                    "period": {"start": _ts(c.created_at)},
                    "reasonCode": [{"text": c.complaint}],
                },
            )
        )
        code: dict[str, Any] = {"text": c.diagnosis}
        if c.icd10:
            found = icd10_lookup(c.icd10)
            title = found[1] if found else c.diagnosis
            code["coding"] = [{"system": ICD10_SYSTEM, "code": c.icd10, "display": title}]
        resources.append(
            (
                _ref("condition", c.id),
                {
                    "resourceType": "Condition",
                    "subject": subject,
                    "encounter": {"reference": eref},
                    "code": code,
                    "recordedDate": _ts(c.created_at),
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "condition-category",
                                    "code": "encounter-diagnosis",
                                }
                            ]
                        }
                    ],
                },
            )
        )
    status_map = {"pending": "active", "partial": "active", "dispensed": "completed",
                  "cancelled": "cancelled"}  # fmt: skip
    item_refs = {}
    for rx in prescriptions_of(patient):
        for item in rx.items:
            ref = _ref("medicationrequest", item.id)
            item_refs[item.id] = (ref, item)
            body: dict[str, Any] = {
                "resourceType": "MedicationRequest",
                "status": status_map[rx.status],
                "intent": "order",
                "subject": subject,
                "authoredOn": _ts(rx.created_at),
                "medicationCodeableConcept": {"text": item.medicine.display},
                "dosageInstruction": [
                    {
                        "text": f"{item.dose} {item.frequency} for {item.days} days"
                        + (f"; {item.instructions}" if item.instructions else "")
                    }
                ],  # fmt: skip
                "dispenseRequest": {
                    "quantity": {"value": item.quantity},
                    "expectedSupplyDuration": {
                        "value": item.days,
                        "unit": "days",
                        "system": UCUM,
                        "code": "d",
                    },
                },  # fmt: skip
            }
            if rx.consultation_id:
                body["encounter"] = {"reference": _ref("encounter", rx.consultation_id)}
            if rx.doctor:
                body["requester"] = {"display": rx.doctor.name}
            resources.append((ref, body))
    if item_refs:
        for mv in db.session.scalars(
            db.select(StockMovement).where(
                StockMovement.kind == DISPENSE,
                StockMovement.prescription_item_id.in_(list(item_refs)),
            )
        ):
            ref, item = item_refs[mv.prescription_item_id]
            resources.append(
                (
                    _ref("medicationdispense", mv.id),
                    {
                        "resourceType": "MedicationDispense",
                        "status": "completed",
                        "subject": subject,
                        "medicationCodeableConcept": {"text": item.medicine.display},
                        "authorizingPrescription": [{"reference": ref}],
                        "quantity": {"value": -mv.change},
                        "whenHandedOver": _ts(mv.at),
                        "note": [{"text": f"batch {mv.batch.batch_no}"}],
                    },
                )
            )
    labels = {d.code: d for d in load().dose}
    for imm in db.session.scalars(
        db.select(Immunization).where(Immunization.patient_id == patient.id)
    ):
        spec = labels.get(imm.dose)
        resources.append(
            (
                _ref("immunization", imm.id),
                {
                    "resourceType": "Immunization",
                    "status": "completed",
                    "vaccineCode": {"text": spec.label if spec else imm.dose},
                    "patient": subject,
                    "occurrenceDateTime": imm.given_on.isoformat(),
                    "lotNumber": imm.batch,
                    "location": {"display": imm.site},
                    **(
                        {
                            "protocolApplied": [
                                {"series": spec.vaccine, "doseNumberString": spec.label}
                            ]
                        }
                        if spec
                        else {}
                    ),  # fmt: skip
                },
            )
        )
    for m in db.session.scalars(
        db.select(GrowthMeasurement).where(GrowthMeasurement.patient_id == patient.id)
    ):
        components = [
            {"code": {"text": text}, "valueQuantity": {"value": getattr(m, key)}}
            for key, text in ZSCORE_CODES.items()
            if getattr(m, key) is not None
        ]
        for key, (loinc, text, unit) in GROWTH_CODES.items():
            value = getattr(m, key)
            if value is None:
                continue
            obs: dict[str, Any] = {
                "resourceType": "Observation",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/"
                                "observation-category",
                                "code": "vital-signs",
                            }
                        ]
                    }
                ],
                "code": {"coding": [{"system": LOINC, "code": loinc, "display": text}]},
                "subject": subject,
                "effectiveDateTime": m.measured_on.isoformat(),
                "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
            }
            if key == "weight_kg" and components:
                obs["component"] = components
            resources.append((_ref(f"observation-{key}", m.id), obs))
    result = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": datetime.now(UTC).isoformat(),
            "identifier": {"system": HEALTH_ID_SYSTEM, "value": patient.health_id},
            "entry": [{"fullUrl": url, "resource": body} for url, body in resources],
        }
    )
    return result.model_dump(mode="json", exclude_none=True)
