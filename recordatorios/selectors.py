"""Reminders computed from the data: vaccine doses falling due and upcoming citas.

One source for both the read-only API (`/recordatorios/`) and the
`enviar_recordatorios` command (recordatorios.services). Each kind is one query; the API
merges both with a SQL UNION so that pagination and ordering happen in the database.
"""

import datetime

from django.db.models import CharField, Count, F, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from accounts.scoping import ROLES_POR_SEDE, sedes_de_clave
from citas.models import ESTADOS_ACTIVOS, Cita
from historial.models import Consulta, Vacuna
from historial.selectors import later_dose_exists
from sedes.models import Sede
from sedes.selectors import en_fechas_locales, fecha_local, zonas_de_sedes

from .models import Mensaje, Plantilla, Recordatorio, TipoRecordatorio
from .plantillas import DEFECTO, Texto

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
    "sede",
    "enviado_en",
)


def _enviado_en(field):
    return Subquery(Recordatorio.objects.filter(**{field: OuterRef("pk")}).values("enviado_en")[:1])


def sede_de_vacuna():
    """The sede a dose's reminder comes from (a vacuna has none of its own): the one of the
    paciente's latest consulta, else the only active sede, else none (the clinic as a whole:
    the server's zone, the plantillas of every sede). Never a sede found by its `codigo`,
    which an admin may rename."""
    ultima = Consulta.objects.filter(paciente=OuterRef("paciente")).order_by("-fecha", "-pk").values("sede")[:1]
    # One group of the active sedes, kept only when it has a single row: that row's id.
    unica = (
        Sede.objects.filter(activo=True)
        .order_by()
        .values("activo")
        .annotate(activas=Count("pk"), primera=Min("pk"))
        .filter(activas=1)
        .values("primera")
    )
    return Coalesce(Subquery(ultima), Subquery(unica), output_field=IntegerField())


def vacunas_pendientes(*, desde: datetime.date, hasta: datetime.date, sede=None):
    """Doses due in [desde, hasta] that no later application replaced, of living, active
    pacientes, with the sede they are reminded from (`sede_id_`; `sede`: only that one's)."""
    vacunas = (
        Vacuna.objects.filter(
            proxima_dosis__gte=desde,
            proxima_dosis__lte=hasta,
            paciente__activo=True,
            paciente__fallecido=False,
        )
        .filter(~later_dose_exists())
        .select_related("paciente", "paciente__propietario")
        .annotate(enviado_en=_enviado_en("vacuna"), sede_id_=sede_de_vacuna())
    )
    return vacunas if sede is None else vacunas.filter(sede_id_=getattr(sede, "pk", sede))


def citas_pendientes(*, inicio_desde=None, inicio_hasta=None, desde=None, hasta=None, sede=None, zonas=None):
    """Active citas starting in [inicio_desde, inicio_hasta) (date-times), or on the local
    dates `desde` to `hasta` of their sede's zone (both included); `sede`: only that one's."""
    citas = Cita.objects.filter(estado__in=ESTADOS_ACTIVOS)
    if inicio_desde is not None:
        citas = citas.filter(inicio__gte=inicio_desde)
    if inicio_hasta is not None:
        citas = citas.filter(inicio__lt=inicio_hasta)
    if desde is not None or hasta is not None:
        citas = citas.filter(en_fechas_locales("inicio", desde=desde, hasta=hasta, zonas=zonas))
    if sede is not None:
        citas = citas.filter(sede=sede)
    return citas.select_related("paciente", "paciente__propietario", "veterinario", "sede").annotate(
        enviado_en=_enviado_en("cita")
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


def recordatorio_list(*, user, desde, hasta, tipo=None, enviado=None, sede=None):
    """The reminders of the window [desde, hasta] (local dates: a cita's in its sede's zone) the
    user may see, as rows of COLUMNS, ordered by fecha then tipo. One SQL query (a UNION) per
    page, plus the count, plus one for the sedes' zones."""
    none_int = Value(None, output_field=IntegerField())
    zonas = zonas_de_sedes()
    vacunas = (
        vacunas_pendientes(desde=desde, hasta=hasta, sede=sede)
        .visible_to(user)
        .annotate(
            tipo_=Value(TipoRecordatorio.VACUNA, output_field=CharField()),
            fecha=F("proxima_dosis"),
            vacuna_id_=F("pk"),
            cita_id_=none_int,
            **_owner_columns("paciente__"),
        )
    )
    citas = (
        citas_pendientes(desde=desde, hasta=hasta, sede=sede, zonas=zonas)
        .visible_to(user)
        .annotate(
            tipo_=Value(TipoRecordatorio.CITA, output_field=CharField()),
            fecha=fecha_local("inicio", zonas=zonas),
            vacuna_id_=none_int,
            cita_id_=F("pk"),
            sede_id_=F("sede_id"),
            **_owner_columns("paciente__"),
        )
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
        "sede_id_",
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


def plantillas_activas() -> dict:
    """{(tipo, canal, idioma, sede_id or None): Plantilla} of the active templates (one query)."""
    return {(p.tipo, p.canal, p.idioma, p.sede_id): p for p in Plantilla.objects.filter(activo=True)}


def texto_de(plantillas, *, tipo, canal, idioma, sede_id) -> Texto:
    """The text a reminder goes out with: the active template of its sede, else the one of
    every sede, else the built-in default (in Spanish for a language without one)."""
    defecto = DEFECTO.get((tipo, canal, idioma)) or DEFECTO[(tipo, canal, "es")]
    plantilla = plantillas.get((tipo, canal, idioma, sede_id)) or plantillas.get((tipo, canal, idioma, None))
    if plantilla is not None:
        # an email template without a subject keeps the built-in one
        return Texto(asunto=plantilla.asunto or defecto.asunto, cuerpo=plantilla.cuerpo)
    return defecto


def plantilla_list(*, user):
    """Every template (staff read them all; the role table keeps owners out); an integration
    key narrowed to sedes, only theirs (others, those of all sedes included, answer 404)."""
    plantillas = Plantilla.objects.select_related("sede").order_by("tipo", "canal", "idioma", "sede", "id")
    clave = sedes_de_clave(user)
    return plantillas if clave is None else plantillas.filter(sede__in=clave)


def mensajes_visibles(mensajes, *, user):
    """The rows of `mensajes` `user` may read (API and admin). A cita's messages are visible
    where the cita is (staff of other sedes get 404 for it, so its reminder's text is not
    theirs either); a vacuna's belong to the clinical record, which every staff member reads
    (as `/recordatorios/` lists them)."""
    if not user.is_authenticated:
        return mensajes.none()
    clave = sedes_de_clave(user)
    if clave is not None:
        mensajes = mensajes.filter(sede__in=clave)  # a key narrowed to sedes reads only theirs
    if user.rol in ROLES_POR_SEDE or clave is not None:
        return mensajes.filter(Q(cita__isnull=True) | Q(cita__in=Cita.objects.visible_to(user).values("pk")))
    return mensajes


def mensaje_list(*, user):
    """The message log `user` may read (mensajes_visibles), newest first, with the owner."""
    return mensajes_visibles(Mensaje.objects.select_related("cliente").order_by("-creado_en", "-id"), user=user)
