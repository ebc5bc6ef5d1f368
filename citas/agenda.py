"""Pure scheduling arithmetic: opening hours, free slots, a day's agenda per vet. No database access here."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

_ENTRY = re.compile(r"^\s*(?P<days>[0-6](?:\s*[-,]\s*[0-6])*)\s*=\s*(?P<periods>.+?)\s*$")
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _days(spec):
    days = set()
    for part in spec.split(","):
        bounds = [int(x) for x in part.split("-")]
        if len(bounds) == 2 and bounds[0] <= bounds[1]:
            days.update(range(bounds[0], bounds[1] + 1))
        elif len(bounds) == 1:
            days.add(bounds[0])
        else:
            raise ValueError(part)
    return days


def parse_clinic_hours(value: str) -> dict[int, list[tuple[datetime.time, datetime.time]]]:
    """Parses CLINIC_HOURS, e.g. `0-4=09:00-14:00,16:00-20:00;5=10:00-13:00`, into
    {weekday: [(start, end), ...]} (0 = Monday). Raises ImproperlyConfigured when malformed."""
    hours: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for entry in filter(None, (e.strip() for e in value.split(";"))):
        match = _ENTRY.match(entry)
        try:
            if not match:
                raise ValueError(entry)
            days = _days(match["days"].replace(" ", ""))
            periods = []
            for period in match["periods"].split(","):
                found = _PERIOD.match(period)
                if not found:
                    raise ValueError(period)
                h1, m1, h2, m2 = (int(x) for x in found.groups())
                start, end = datetime.time(h1, m1), datetime.time(h2, m2)
                if end <= start:
                    raise ValueError(period)
                periods.append((start, end))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"CLINIC_HOURS: entrada no válida {entry!r}; formato DÍAS=HH:MM-HH:MM[,HH:MM-HH:MM][;...]"
            ) from exc
        for day in days:
            hours.setdefault(day, []).extend(periods)
    for periods in hours.values():
        periods.sort()
    return hours


@dataclass(frozen=True)
class Hueco:
    inicio: datetime.datetime
    fin: datetime.datetime
    sede: int | None = None


def free_slots(
    *,
    fecha: datetime.date,
    periods: list[tuple[datetime.time, datetime.time]],
    busy: list[tuple[datetime.datetime, datetime.datetime]],
    duracion: datetime.timedelta,
    step: datetime.timedelta,
    now: datetime.datetime,
    tz: datetime.tzinfo,
    sede: int | None = None,
) -> list[Hueco]:
    """Slots of `duracion` starting every `step` from each period's start (local wall time in
    `tz`), fully inside the period, overlapping nothing in `busy`, not starting before `now`.

    Arithmetic runs on absolute time, so a slot on a DST-change day lasts exactly `duracion`.
    """
    slots = []
    for start_time, end_time in periods:
        start = datetime.datetime.combine(fecha, start_time, tzinfo=tz).astimezone(datetime.UTC)
        end = datetime.datetime.combine(fecha, end_time, tzinfo=tz).astimezone(datetime.UTC)
        slot = start
        while slot + duracion <= end:
            slot_end = slot + duracion
            if slot >= now and not any(b_start < slot_end and b_end > slot for b_start, b_end in busy):
                slots.append(Hueco(slot.astimezone(tz), slot_end.astimezone(tz), sede))
            slot += step
    return slots


@dataclass(frozen=True)
class AgendaVeterinario:
    veterinario: object
    citas: list


def agenda_by_veterinario(citas) -> list[AgendaVeterinario]:
    """The day's citas, already ordered by start, grouped per vet (vets by name); each
    vet keeps the order of `citas`."""
    groups: dict[int, AgendaVeterinario] = {}
    for cita in citas:
        vet = cita.veterinario
        groups.setdefault(vet.pk, AgendaVeterinario(vet, [])).citas.append(cita)
    return sorted(groups.values(), key=lambda group: (str(group.veterinario).lower(), group.veterinario.pk))
