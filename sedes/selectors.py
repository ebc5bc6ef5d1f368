"""Reads of sedes that every app shares."""

import datetime
import functools
import operator
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db.models import Case, DateField, Q, When
from django.db.models.functions import TruncDate

from core.dates import start_of_local_day

from .models import CODIGO_PRINCIPAL, Sede


def sede_list(*, user):
    """The sedes `user` may see: staff, all of them; an owner, the active ones that take
    online bookings (Sede.ownership)."""
    return Sede.objects.visible_to(user)


def sedes_activas():
    return Sede.objects.filter(activo=True)


def sede_unica():
    """The one active sede while there is exactly one (every `sede` field may then be omitted,
    so v1 clients keep working), else None."""
    sedes = list(sedes_activas()[:2])
    return sedes[0] if len(sedes) == 1 else None


def sede_por_defecto():
    """The sede of things that belong to none (the server's `TIME_ZONE`): the one the first
    sedes migration created, else the oldest active one."""
    return Sede.objects.filter(codigo=CODIGO_PRINCIPAL).first() or sedes_activas().order_by("pk").first()


def zonas_de_sedes() -> dict[str, list[int]]:
    """{IANA zone: [ids of the sedes in it]} (one query over a table of a handful of rows)."""
    zonas = defaultdict(list)
    for pk, zona in Sede.objects.order_by("pk").values_list("pk", "zona_horaria"):
        zonas[zona].append(pk)
    return dict(zonas)


def en_fechas_locales(campo, *, desde=None, hasta=None, sede="sede", zonas=None) -> Q:
    """A condition on rows whose date-time `campo` falls on a local date from `desde` to
    `hasta` (both included, either open), each row's date read in the zone of its sede
    (`sede`: the lookup to it). A cita at 00:30 in Madrid belongs to that Madrid date even
    where the server's zone says the day before.

    Each zone's range is a plain range on `campo` (its index serves it), limited to that zone's
    sedes; with every sede in one zone that is a single range."""
    zonas = zonas or zonas_de_sedes() or {settings.TIME_ZONE: []}

    def rango(zona):
        tz = zoneinfo.ZoneInfo(zona)
        condicion = Q()
        if desde is not None:
            condicion &= Q(**{f"{campo}__gte": start_of_local_day(desde, tz)})
        if hasta is not None:
            condicion &= Q(**{f"{campo}__lt": start_of_local_day(hasta + datetime.timedelta(days=1), tz)})
        return condicion

    if len(zonas) == 1:
        return rango(next(iter(zonas)))
    return functools.reduce(operator.or_, (Q(**{f"{sede}__in": ids}) & rango(zona) for zona, ids in zonas.items()))


def fecha_local(campo, *, sede="sede", zonas=None):
    """An expression for the local date of date-time `campo` in the zone of each row's sede
    (`sede`: the lookup to it), as `en_fechas_locales` reads it."""
    zonas = zonas or zonas_de_sedes() or {settings.TIME_ZONE: []}
    if len(zonas) == 1:
        return TruncDate(campo, tzinfo=zoneinfo.ZoneInfo(next(iter(zonas))), output_field=DateField())
    return Case(
        *(
            When(**{f"{sede}__in": ids}, then=TruncDate(campo, tzinfo=zoneinfo.ZoneInfo(zona)))
            for zona, ids in zonas.items()
        ),
        output_field=DateField(),
    )
