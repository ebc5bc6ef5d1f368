"""Reminders computed from the data: vaccine doses falling due and upcoming citas.

One source for both the read-only API (`/recordatorios/`) and the
`enviar_recordatorios` command (recordatorios.services). Each kind is one query; the API
merges both with a SQL UNION so that pagination and ordering happen in the database.
"""

import datetime

from django.db.models import CharField, DateField, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Concat, TruncDate
from django.utils import timezone

from citas.models import ESTADOS_ACTIVOS, Cita
from core.dates import start_of_local_day
from historial.models import Vacuna
from historial.selectors import later_dose_exists

from .models import Recordatorio, TipoRecordatorio

COLUMNS = (
    "tipo",
    "fecha",
    "paciente",
    "paciente_nombre",
    "cliente",
    "cliente_nombre",
    "email",
    "telefono",
    "vacuna",
    "cita",
    "enviado_en",
)


def _enviado_en(field):
    return Subquery(Recordatorio.objects.filter(**{field: OuterRef("pk")}).values("enviado_en")[:1])


def vacunas_pendientes(*, desde: datetime.date, hasta: datetime.date):
    """Doses due in [desde, hasta] that no later application replaced, of living, active pacientes."""
    return (
        Vacuna.objects.filter(
            proxima_dosis__gte=desde,
            proxima_dosis__lte=hasta,
            paciente__activo=True,
            paciente__fallecido=False,
        )
        .filter(~later_dose_exists())
        .select_related("paciente", "paciente__propietario")
        .annotate(enviado_en=_enviado_en("vacuna"))
    )


def citas_pendientes(*, inicio_desde: datetime.datetime, inicio_hasta: datetime.datetime):
    """Active citas starting in [inicio_desde, inicio_hasta)."""
    return (
        Cita.objects.filter(estado__in=ESTADOS_ACTIVOS, inicio__gte=inicio_desde, inicio__lt=inicio_hasta)
        .select_related("paciente", "paciente__propietario", "veterinario")
        .annotate(enviado_en=_enviado_en("cita"))
    )


def _owner_columns(prefix):
    return {
        "paciente_nombre": F(f"{prefix}nombre"),
        "cliente": F(f"{prefix}propietario_id"),
        "cliente_nombre": Concat(
            F(f"{prefix}propietario__nombre"),
            Value(" "),
            F(f"{prefix}propietario__apellidos"),
            output_field=CharField(),
        ),
        "email": F(f"{prefix}propietario__email"),
        "telefono": F(f"{prefix}propietario__telefono"),
    }


def recordatorio_list(*, user, desde, hasta, tipo=None, enviado=None):
    """The reminders of the window [desde, hasta] (local dates) the user may see, as rows of COLUMNS,
    ordered by fecha then tipo. One SQL query (a UNION) per page, plus the count."""
    none_int = Value(None, output_field=IntegerField())
    vacunas = vacunas_pendientes(desde=desde, hasta=hasta).visible_to(user).annotate(
        tipo_=Value(TipoRecordatorio.VACUNA, output_field=CharField()),
        fecha=F("proxima_dosis"),
        vacuna_id_=F("pk"),
        cita_id_=none_int,
        **_owner_columns("paciente__"),
    )
    citas = citas_pendientes(
            inicio_desde=start_of_local_day(desde), inicio_hasta=start_of_local_day(hasta + datetime.timedelta(days=1))
        ).visible_to(user).annotate(
        tipo_=Value(TipoRecordatorio.CITA, output_field=CharField()),
        fecha=TruncDate("inicio", tzinfo=timezone.get_current_timezone(), output_field=DateField()),
        vacuna_id_=none_int,
        cita_id_=F("pk"),
        **_owner_columns("paciente__"),
    )
    if enviado is not None:
        vacunas = vacunas.filter(enviado_en__isnull=not enviado)
        citas = citas.filter(enviado_en__isnull=not enviado)
    fields = (
        "tipo_",
        "fecha",
        "paciente_id",
        "paciente_nombre",
        "cliente",
        "cliente_nombre",
        "email",
        "telefono",
        "vacuna_id_",
        "cita_id_",
        "enviado_en",
    )
    parts = []
    if tipo in (None, TipoRecordatorio.VACUNA):
        parts.append(vacunas.order_by().values_list(*fields))
    if tipo in (None, TipoRecordatorio.CITA):
        parts.append(citas.order_by().values_list(*fields))
    queryset = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    # vacuna/cita ids last: a stable order, so that pages never repeat or skip a row.
    return queryset.order_by("fecha", "tipo_", "paciente_nombre", "vacuna_id_", "cita_id_")
