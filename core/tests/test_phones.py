"""core.phones: the one normal form of a phone number, for storing, validating and searching."""

import pytest
from django.core.exceptions import ValidationError

from core.phones import normalize_phone, phone_search_digits, validate_mobile


@pytest.mark.parametrize(
    "typed",
    ["600 111 222", "600-111-222", "+34 600111222", "0034600111222", "(+34) 600.111.222", "  600111222  "],
)
def test_a_number_in_the_default_region_is_stored_in_e164_however_it_is_typed(typed):
    assert normalize_phone(typed) == "+34600111222"


def test_a_number_with_its_own_country_prefix_keeps_that_country():
    assert normalize_phone("+33 6 12 34 56 78") == "+33612345678"


def test_the_default_region_comes_from_the_settings(settings):
    # given Portugal as the default region
    settings.PHONE_REGION = "PT"
    # when a Portuguese mobile is typed without its prefix
    # then it is stored with +351
    assert normalize_phone("912 345 678") == "+351912345678"


@pytest.mark.parametrize(
    "typed,kept",
    [
        ("  91 555 12 ", "91 555 12"),
        ("llamar al fijo", "llamar al fijo"),
        ("12", "12"),
        ("915 551 234 ext. 12", "915 551 234 ext. 12"),  # E.164 would drop the extension
    ],
)
def test_a_value_that_is_no_valid_number_or_has_an_extension_is_kept_as_typed_only_trimmed(typed, kept):
    assert normalize_phone(typed) == kept


@pytest.mark.parametrize("empty", ["", None, "   "])
def test_no_phone_is_an_empty_string(empty):
    assert normalize_phone(empty) == ""


@pytest.mark.parametrize("movil", ["", "+34600111222", "600 111 222", "+33 6 12 34 56 78"])
def test_a_mobile_number_is_a_valid_movil(movil):
    validate_mobile(movil)


@pytest.mark.parametrize("movil", ["915551234", "900 100 200", "600 111", "hola", "+34 600 111 2223"])
def test_a_landline_a_toll_free_a_short_or_a_non_number_is_not_a_movil(movil):
    with pytest.raises(ValidationError) as refused:
        validate_mobile(movil)

    assert refused.value.code == "movil_invalido"


@pytest.mark.parametrize(
    "query", ["600 111 222", "600-111-222", "+34 600111222", "0034600111222", "+34600111222", "34600111222"]
)
def test_a_whole_number_searches_for_its_stored_digits(query):
    assert phone_search_digits(query) == "34600111222"


@pytest.mark.parametrize("query,digits", [("600 111", "600111"), ("0034 600", "34600"), ("+34 600", "34600")])
def test_part_of_a_number_searches_for_its_digits_without_the_international_prefix(query, digits):
    assert phone_search_digits(query) == digits


@pytest.mark.parametrize("query", ["Ana", "600 Ana", "12", "", "calle 5", "ana@correo.test"])
def test_text_that_is_not_a_phone_is_no_phone_search(query):
    assert phone_search_digits(query) is None
