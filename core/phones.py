"""Phone numbers: one normal form for storing, validating and searching them.

Numbers are parsed with `phonenumbers` (Google's libphonenumber metadata) in the default
region, `settings.PHONE_REGION`, so that `600 111 222`, `600-111-222`, `+34 600111222` and
`0034600111222` are the same number, stored as `+34600111222` (E.164). A value that is not a
valid number keeps what was typed (trimmed): an old landline, an extension, a note; nothing
typed is ever lost.
"""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})
# What a phone typed in a search box may contain besides digits.
_PHONE_QUERY = re.compile(r"^\+?[\d\s().\-/]+$")
_NOT_DIGIT = re.compile(r"\D")
# Fewer digits than this are too common to mean a phone (a year, a street number).
SEARCH_MIN_DIGITS = 3


def _parse(value: str):
    try:
        number = phonenumbers.parse(value, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value):
    """`value` in E.164 when it is a valid number in PHONE_REGION (or has its own `+`/`00`
    prefix), else as typed, trimmed. None and "" give ""."""
    text = (value or "").strip()
    if not text:
        return ""
    number = _parse(text)
    if number is None or number.extension:
        # E.164 has no room for an extension: keep the value whole rather than drop it.
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_mobile(value):
    """Model validator of a mobile number: a valid number of a mobile line ("" passes)."""
    if not value:
        return
    number = _parse(value.strip())
    if number is None or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("Introduzca un número de móvil válido, p. ej. +34600111222."),
            code="movil_invalido",
        )


def phone_search_digits(query):
    """The digits a stored phone must contain to match `query`, or None when `query` does not
    look like a phone (letters, too few digits).

    A whole number is normalised as it is stored, so `600 111 222`, `+34 600111222` and
    `0034600111222` all give `34600111222`; a part of one (`600 111`) gives its digits, without
    a leading `+`/`00` international prefix."""
    text = (query or "").strip()
    if not _PHONE_QUERY.match(text):
        return None
    digits = _NOT_DIGIT.sub("", text)
    if len(digits) < SEARCH_MIN_DIGITS:
        return None
    number = _parse(text)
    if number is not None:
        return _NOT_DIGIT.sub("", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    if not text.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    return digits or None
