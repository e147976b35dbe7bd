"""SmartCare health IDs and ABHA numbers.

A health ID is 14 digits, shown ``XX-XXXX-XXXX-XXXX``; the last digit is a Verhoeff
check digit over the first 13 (python-stdnum), so a mistyped digit or a swap of two
neighbours is caught at the counter.
"""

from __future__ import annotations

import re
import secrets

from stdnum import verhoeff
from stdnum.exceptions import ValidationError

from hub.errors.exceptions import ServiceError

_SEPARATORS = re.compile(r"[\s-]")


class InvalidHealthId(ServiceError):
    """The text is not a valid SmartCare health ID; ``message`` says why."""


def generate() -> str:
    """A new random health ID (14 digits, first non-zero, Verhoeff check digit last)."""
    body = str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(12))
    return body + verhoeff.calc_check_digit(body)


def normalise(raw: str) -> str:
    """Return the 14 bare digits of a health ID typed with or without dashes/spaces."""
    digits = _SEPARATORS.sub("", raw or "")
    if not digits:
        raise InvalidHealthId("Enter a health ID.")
    if not digits.isdigit():
        raise InvalidHealthId("A health ID has digits only (dashes and spaces are allowed).")
    if len(digits) != 14:
        raise InvalidHealthId(f"A health ID has 14 digits; this one has {len(digits)}.")
    try:
        verhoeff.validate(digits)
    except ValidationError:
        raise InvalidHealthId(
            "This health ID's check digit is wrong: a digit was probably mistyped."
        ) from None
    return digits


def is_valid(raw: str) -> bool:
    try:
        normalise(raw)
    except InvalidHealthId:
        return False
    return True


def display(health_id: str) -> str:
    """``12345678901234`` -> ``12-3456-7890-1234``."""
    h = health_id
    return f"{h[0:2]}-{h[2:6]}-{h[6:10]}-{h[10:14]}"


def normalise_abha(raw: str | None) -> str | None:
    """An ABHA number: 14 digits, optionally written ``XX-XXXX-XXXX-XXXX``. Format only."""
    if raw is None or not raw.strip():
        return None
    digits = _SEPARATORS.sub("", raw)
    if not digits.isdigit() or len(digits) != 14:
        raise ServiceError(
            "An ABHA number is 14 digits, written XX-XXXX-XXXX-XXXX.",
            fields={"abha_number": "An ABHA number is 14 digits, written XX-XXXX-XXXX-XXXX."},
        )
    return digits
