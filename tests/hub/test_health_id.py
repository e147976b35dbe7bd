import pytest
from stdnum import verhoeff

from hub.patients import health_id as hid


def test_generated_ids_are_14_digits_with_a_valid_verhoeff_digit():
    seen = set()
    for _ in range(500):
        value = hid.generate()
        assert len(value) == 14 and value.isdigit() and value[0] != "0"
        assert verhoeff.is_valid(value)
        seen.add(value)
    assert len(seen) == 500


def test_display_and_normalise_round_trip():
    value = hid.generate()
    shown = hid.display(value)
    assert len(shown) == 17 and shown.count("-") == 3
    assert shown.split("-") == [value[0:2], value[2:6], value[6:10], value[10:14]]
    assert hid.normalise(shown) == value
    assert hid.normalise(f" {value[:7]} {value[7:]} ") == value


def test_wrong_check_digit_is_refused_with_a_clear_message():
    value = hid.generate()
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)
    with pytest.raises(hid.InvalidHealthId, match="check digit"):
        hid.normalise(wrong)


def test_swapped_neighbours_are_caught():
    value = hid.generate()
    i = next(i for i in range(12) if value[i] != value[i + 1])
    swapped = value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    assert not hid.is_valid(swapped)


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "Enter"),
        ("12-34", "14 digits"),
        ("12345678901234567", "14 digits"),
        ("1234567890123a", "digits only"),
    ],
)
def test_malformed_ids(raw, fragment):
    with pytest.raises(hid.InvalidHealthId, match=fragment):
        hid.normalise(raw)


def test_abha_is_format_checked_only():
    assert hid.normalise_abha("12-3456-7890-1234") == "12345678901234"
    assert hid.normalise_abha("") is None
    with pytest.raises(Exception, match="14 digits"):
        hid.normalise_abha("1234")
