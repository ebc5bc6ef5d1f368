"""Cell parsers: text from a spreadsheet to the Python value a model field holds.

A parser gets a non-blank, trimmed cell and returns the value or raises
ValidationError. Blank cells never reach a parser: blank means "not given".
Parsers only translate notation (dates, decimals, synonyms); the rules a value
must satisfy (microchip format, dates not in the future...) stay in the model.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import FALSE_VALUES, TRUE_VALUES


def fold(text: str) -> str:
    """Lower case without accents, for comparing words people type ("Hurón" == "huron")."""
    if text.isascii():  # nothing to decompose: the common case, about ten times faster
        return text.lower().strip()
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


def parse_text(value: str) -> str:
    return value


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_EU_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: str) -> datetime.date:
    """`YYYY-MM-DD` or `DD/MM/YYYY`."""
    try:
        if match := _ISO_DATE.match(value):
            year, month, day = match.groups()
            return datetime.date(int(year), int(month), int(day))
        if match := _EU_DATE.match(value):
            day, month, year = match.groups()
            return datetime.date(int(year), int(month), int(day))
    except ValueError:  # 31/02/2020
        pass
    raise ValidationError(
        _("fecha no válida «%(value)s»: use AAAA-MM-DD o DD/MM/AAAA") % {"value": value}, code="invalid_date"
    )


BOOLEAN_TRUE = frozenset({fold(v) for v in TRUE_VALUES} | {"x"})
BOOLEAN_FALSE = frozenset(fold(v) for v in FALSE_VALUES)


def parse_bool(value: str) -> bool:
    """si/sí/true/1/x → True, no/false/0 → False (blank, handled before, leaves the field as it is)."""
    folded = fold(value)
    if folded in BOOLEAN_TRUE:
        return True
    if folded in BOOLEAN_FALSE:
        return False
    raise ValidationError(
        _("valor no válido «%(value)s»: use sí, no, true, false, 1, 0 o x") % {"value": value}, code="invalid_bool"
    )


def parse_decimal(value: str) -> Decimal:
    """A decimal with a comma or a dot as the decimal mark (`4,5` or `4.5`)."""
    text = value.replace(" ", "")
    if "," in text:
        text = text.replace(",", ".", 1) if "." not in text and text.count(",") == 1 else "x"
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(_("número no válido «%(value)s»") % {"value": value}, code="invalid_decimal")
    return number


def choice_parser(choices: Iterable[tuple[str, str]], synonyms: Mapping[str, str] | None = None) -> Callable:
    """A parser for a TextChoices field that also understands labels and synonyms.

    Comparison ignores case and accents. An unknown word is returned unchanged so
    the model's own choice validation reports it.
    """
    table = {}
    for value, label in choices:
        table[fold(str(value))] = value
        table[fold(str(label))] = value
    for word, value in (synonyms or {}).items():
        table[fold(word)] = value

    def parse(value: str) -> str:
        return table.get(fold(value), value)

    return parse
