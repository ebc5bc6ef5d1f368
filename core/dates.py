"""Local-day arithmetic in a zone (a sede's; the server's TIME_ZONE when none is given), and
the range of dates the system accepts."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def start_of_local_day(day: datetime.date, tz: datetime.tzinfo | None = None) -> datetime.datetime:
    """Midnight of `day` in `tz` (default: the server's zone), as an aware date-time."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz or timezone.get_current_timezone())


def local_day_range(
    day: datetime.date, tz: datetime.tzinfo | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the local day `day` in `tz`: 23 or 25 hours long on DST changes."""
    return start_of_local_day(day, tz), start_of_local_day(day + datetime.timedelta(days=1), tz)


# The dates the system accepts anywhere a date or date-time comes in (API fields, filters,
# query parameters, imports). Wide enough for any real record (a tortoise's birth, a
# booking years ahead), narrow enough that the arithmetic around a date (a local day's end,
# a zone's offset, a cita's end) can never leave the calendar Python and the databases know.
EARLIEST_DATE = datetime.date(1800, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


# The message of `out_of_range_error()`, unformatted (fields list it among their error messages).
OUT_OF_RANGE_MESSAGE = gettext_lazy("Fecha fuera del rango admitido (%(desde)s a %(hasta)s).")


def out_of_range_error():
    """The error every date outside [EARLIEST_DATE, LATEST_DATE] gets (code `fecha_fuera_de_rango`)."""
    return ValidationError(
        _("Fecha fuera del rango admitido (%(desde)s a %(hasta)s).")
        % {"desde": EARLIEST_DATE.isoformat(), "hasta": LATEST_DATE.isoformat()},
        code="fecha_fuera_de_rango",
    )


def validate_date_in_range(value):
    """Raises `out_of_range_error()` for a date, or the date of a date-time, outside
    [EARLIEST_DATE, LATEST_DATE]; returns the value (None passes)."""
    if value is None:
        return value
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise out_of_range_error()
    return value


# The contract's date format, exactly: four, two and two digits (strptime's %m and %d would
# also take one digit).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_iso_date_text(value: str) -> bool:
    return bool(_ISO_DATE.fullmatch(value.strip()))
