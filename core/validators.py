"""Field validators shared by models, so the API, the admin and the imports apply the same rule."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Unicode category Cc (C0 controls, DEL, C1 controls: the set is closed by Unicode's stability
# policy), plus the line and paragraph separators (Zl, Zp), which break lines just as well.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# The words read as true or false, in filters (`?activo=sí`) and in imported files alike.
TRUE_VALUES = frozenset({"true", "1", "si", "sí", "yes"})
FALSE_VALUES = frozenset({"false", "0", "no"})


# Codes of the rules below (stable: API clients read them). Each validator also carries its
# code as `.code`, like Django's class-based validators, so the OpenAPI schema lists it.
FECHA_FUTURA = "fecha_futura"
NO_POSITIVO = "no_positivo"
CARACTERES_DE_CONTROL = "caracteres_de_control"


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("La fecha no puede estar en el futuro."), code=FECHA_FUTURA)


not_in_future.code = FECHA_FUTURA


def positive(value):
    if value is not None and value <= 0:
        raise ValidationError(_("Debe ser mayor que 0."), code=NO_POSITIVO)


positive.code = NO_POSITIVO


def no_control_characters(value):
    """For one-line values that end up in messages and their headers (names, addresses, phones):
    a line break there could forge a header (`Ana\\nBcc: ...`). Multi-line free text (notas)
    does not take this validator."""
    if value and _CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("No puede contener saltos de línea, tabuladores ni otros caracteres de control."),
            code=CARACTERES_DE_CONTROL,
        )


no_control_characters.code = CARACTERES_DE_CONTROL


def strip_control_characters(value: str) -> str:
    """`value` on one line: each run of control characters and white space becomes one space.
    For text put into a header from rows that may predate `no_control_characters`."""
    return " ".join(_CONTROL_CHARACTERS.sub(" ", value).split())
