"""The Integrated Disease Surveillance Programme's reporting forms, as data.

S form: suspected cases by syndrome (health workers); P form: presumptive cases by disease
(clinicians); L form: laboratory-confirmed cases with the test and its result. Source: the
IDSP reporting formats (Ministry of Health and Family Welfare, Government of India).
"""

from __future__ import annotations

FORMS = {"S": "Suspected (syndromic)", "P": "Presumptive (clinical)", "L": "Laboratory confirmed"}

SYNDROMES = {
    "fever": "Fever",
    "cough": "Cough with or without fever (more than 2 weeks)",
    "watery-diarrhoea": "Loose watery stools",
    "jaundice": "Jaundice (acute)",
    "unusual": "Unusual events (any death, cluster)",
}

DISEASES = {
    "add": "Acute diarrhoeal disease",
    "bacillary-dysentery": "Bacillary dysentery",
    "viral-hepatitis": "Viral hepatitis",
    "enteric-fever": "Enteric fever",
    "malaria": "Malaria",
    "dengue": "Dengue",
    "chikungunya": "Chikungunya",
    "aes": "Acute encephalitis syndrome",
    "meningitis": "Meningitis",
    "measles": "Measles",
    "diphtheria": "Diphtheria",
    "pertussis": "Pertussis",
    "chickenpox": "Chickenpox",
    "fuo": "Fever of unknown origin",
    "ari-ili": "Acute respiratory illness / influenza-like illness",
    "pneumonia": "Pneumonia",
    "leptospirosis": "Leptospirosis",
    "afp": "Acute flaccid paralysis (under 15)",
    "dog-bite": "Dog bite",
    "snake-bite": "Snake bite",
    "others": "Others",
}

#: Any single case is an alert (IDSP: diseases targeted for elimination or eradication).
ALERT_ON_ANY_CASE = {"measles": 1, "afp": 1, "diphtheria": 1}


def conditions_for(form: str) -> dict[str, str]:
    return SYNDROMES if form == "S" else DISEASES


def label(condition: str) -> str:
    return DISEASES.get(condition) or SYNDROMES.get(condition) or condition
