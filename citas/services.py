"""Scheduling rules: booking, rescheduling, the state machine, opening hours and bloqueos.

Every write that can make two things overlap first locks the veterinario's user row, so
bookings, reschedules and bloqueos of one vet run one after another; the overlap checks
then see every committed row. On PostgreSQL the exclusion constraints (Cita.Meta.constraints)
guarantee the same for citas even if this code were bypassed.

Lock order. Every service here and in `historial.services` that locks rows takes them in
this order, each `SELECT ... FOR NO KEY UPDATE` (`core.services.lock_rows`), and never
goes back to an earlier step:

1. the cita being changed, and only that row (`cita_update`, `cita_transition`);
2. the veterinario's user row (bookings, reschedules, horarios, bloqueos);
3. the paciente's row (bookings and reschedules; consultas lock only this);
4. the owner's Cliente row (bookings made by a `cliente` user, for their limit).

A request with If-Match takes, before comparing tags, the first lock its service will take
(the viewset's `lock_for_write`, api.conditional): the cita's row (step 1), the vet's for
horarios and bloqueos (step 2), the paciente's for consultas (step 3); objects no service
locks before their own row (clientes, pacientes, vacunas, users) lock that row.

FOR NO KEY UPDATE, not FOR UPDATE: a row inserted with a foreign key to a locked row (a
consulta of the vet, a cita of the paciente, an audit row of the user) takes FOR KEY SHARE
on it, which FOR UPDATE would block; blocked that way behind a lock taken out of order,
a booking and a consulta deadlocked. Whatever deadlock or serialization failure is left
is retried by `retry_on_deadlock`, then answered 409, never 500.

Sedes. A cita and a horario row belong to a sede (`sedes.services.resolve_sede`: omitted, the
only active one); their vet must work there, and a vet is in one place at a time: the overlap
rules and the exclusion constraint are per vet whatever the sede. Local times (a horario's
hours, `disponibilidad`'s `fecha`, an owner's booking) are read in the sede's zone.

Durations are real time: `inicio + duración` is computed in UTC (aware arithmetic in a
zone with DST is wall-clock arithmetic and would stretch a cita across the autumn change).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Rol, User
from accounts.scoping import may_author, works_at
from accounts.selectors import es_veterinario_activo
from clientes.models import Cliente
from core import events
from core.dates import local_day_range
from core.exceptions import CONFLICTO_INTEGRIDAD, TIENE_HISTORIAL, Conflict
from core.services import delete_or_conflict, lock_rows, retry_on_deadlock, save_validated
from pacientes.models import Paciente
from sedes.selectors import sedes_activas
from sedes.services import check_sede_activa, check_sede_de_trabajo, resolve_sede

from .agenda import Hueco, free_slots, parse_clinic_hours
from .models import (
    DURACION_MAXIMA,
    DURACION_MINIMA,
    DURACION_POR_DEFECTO,
    ESTADOS_ACTIVOS,
    ESTADOS_REPROGRAMABLES,
    Bloqueo,
    Cita,
    EstadoCita,
    HorarioAtencion,
)

# The state machine: action -> (states it may start from, resulting state).
TRANSICIONES = {
    "confirmar": ({EstadoCita.PROGRAMADA}, EstadoCita.CONFIRMADA),
    "iniciar": ({EstadoCita.PROGRAMADA, EstadoCita.CONFIRMADA}, EstadoCita.EN_CURSO),
    "completar": ({EstadoCita.EN_CURSO}, EstadoCita.COMPLETADA),
    "cancelar": ({EstadoCita.PROGRAMADA, EstadoCita.CONFIRMADA}, EstadoCita.CANCELADA),
    "no-asistio": ({EstadoCita.PROGRAMADA, EstadoCita.CONFIRMADA}, EstadoCita.NO_ASISTIO),
}

# Conflict codes (409) of the scheduling rules, stable for API clients.
SOLAPE_VETERINARIO = "solape_veterinario"
SOLAPE_PACIENTE = "solape_paciente"
SOLAPE_BLOQUEO = "solape_bloqueo"
BLOQUEO_CON_CITAS = "bloqueo_con_citas"
TRANSICION_INVALIDA = "transicion_invalida"
NO_REPROGRAMABLE = "no_reprogramable"
SOLAPES = (SOLAPE_VETERINARIO, SOLAPE_PACIENTE, SOLAPE_BLOQUEO)
# The exclusion constraints of Cita (citas.models.sin_solape) and the conflict each one means.
SOLAPE_POR_CONSTRAINT = {
    "citas_cita_sin_solape_veterinario": SOLAPE_VETERINARIO,
    "citas_cita_sin_solape_paciente": SOLAPE_PACIENTE,
}

CITA_FIELDS_LIBRES = ("motivo", "notas")
CITA_FIELDS_AGENDA = ("inicio", "fin", "veterinario", "sede")


# --- validation helpers ---------------------------------------------------------------


def _invalid(field, message, code):
    """A field error with its code (400), as the API shows it: `{"attr": field, "code": code}`."""
    return ValidationError({field: ValidationError(message, code=code)})


def _check_veterinario(veterinario, *, field="veterinario"):
    if not es_veterinario_activo(veterinario):
        raise _invalid(field, _("Debe ser un usuario activo con rol veterinario."), "veterinario_no_valido")


def _check_sede(*, actor, sede, veterinario):
    """The sede is active, `actor` may book there (`accounts.scoping.works_at`: an admin
    anywhere, other staff where they work, an integration key at its sedes; owners are checked
    by `_check_reserva_cliente`: `actor` None) and the vet works there."""
    if actor is None:
        check_sede_activa(sede)
    else:
        check_sede_de_trabajo(actor=actor, sede=sede)
    _check_trabaja_en(veterinario, sede, field="veterinario")


def _check_trabaja_en(veterinario, sede, *, field):
    """The vet works at `sede` (a cita's, a horario row's); the error goes on `field`."""
    if not veterinario.sedes.filter(pk=getattr(sede, "pk", sede)).exists():
        raise _invalid(field, _("El veterinario no trabaja en esa sede."), "veterinario_otra_sede")


def _check_paciente(paciente):
    if not paciente.activo or paciente.fallecido:
        raise _invalid("paciente", _("El paciente no está activo o ha fallecido."), "paciente_inactivo")


def _utc(value):
    return value.astimezone(datetime.UTC)


def _resolve_fin(*, inicio, fin, duracion_minutos):
    """The cita's end, in UTC: arithmetic on aware date-times of one zone is wall-clock
    arithmetic (120 minutes from 01:30 on the autumn change would end 180 minutes later)."""
    if fin is not None and duracion_minutos is not None:
        raise _invalid("fin", _("Indique el fin o la duración, no ambos."), "fin_y_duracion")
    inicio = _utc(inicio)
    if fin is None:
        fin = inicio + datetime.timedelta(minutes=duracion_minutos or DURACION_POR_DEFECTO)
    fin = _utc(fin)
    if fin <= inicio:
        raise _invalid("fin", _("El fin debe ser posterior al inicio."), "fin_antes_de_inicio")
    minutos = (fin - inicio).total_seconds() / 60
    if not DURACION_MINIMA <= minutos <= DURACION_MAXIMA:
        raise _invalid(
            "fin",
            _("La cita debe durar entre %(min)s y %(max)s minutos.") % {"min": DURACION_MINIMA, "max": DURACION_MAXIMA},
            "duracion_fuera_de_rango",
        )
    return fin


def _check_not_past(inicio):
    if inicio < timezone.now():
        raise _invalid("inicio", _("La cita no puede empezar en el pasado."), "inicio_en_pasado")


def lock_veterinario(veterinario):
    """Serialises every schedule change of one vet (citas and bloqueos) until commit
    (step 2 of the lock order)."""
    return lock_rows(User.objects.filter(pk=veterinario.pk)).get()


def _check_cita_free(*, veterinario, paciente, inicio, fin, exclude=None):
    overlapping = Cita.objects.filter(estado__in=ESTADOS_ACTIVOS, inicio__lt=fin, fin__gt=inicio)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    if overlapping.filter(veterinario=veterinario).exists():
        raise Conflict(_("El veterinario ya tiene una cita que se solapa con ese horario."), SOLAPE_VETERINARIO)
    if overlapping.filter(paciente=paciente).exists():
        raise Conflict(_("El paciente ya tiene una cita que se solapa con ese horario."), SOLAPE_PACIENTE)
    if Bloqueo.objects.filter(veterinario=veterinario, inicio__lt=fin, fin__gt=inicio).exists():
        raise Conflict(_("El veterinario no está disponible en ese horario (bloqueo de agenda)."), SOLAPE_BLOQUEO)


def _save_cita(cita, *, actor):
    """Saves, turning a violation of the PostgreSQL exclusion constraints (a race the checks
    could not see) into a 409 rather than a 500, with the code of the constraint violated."""
    cita.full_clean()
    cita._history_user = actor
    try:
        with transaction.atomic():
            cita.save()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        code = SOLAPE_POR_CONSTRAINT.get(constraint)
        if code is None:
            raise Conflict(
                _("La operación viola una restricción de integridad de los datos."), CONFLICTO_INTEGRIDAD
            ) from exc
        raise Conflict(_("Ese horario acaba de ocuparse: la cita se solapa con otra."), code) from exc
    return cita


def _lock_agenda(*, veterinario, paciente, sede, propietario=False):
    """Locks the vet, then the paciente, then (`propietario=True`) its owner: steps 2 to 4
    of the lock order, so two writers cannot deadlock. The vet is checked again on the locked
    row: a deactivation, a change of rol or a removal from `sede` that committed meanwhile
    (accounts.services, under the same lock) wins."""
    _check_veterinario(lock_veterinario(veterinario))
    _check_trabaja_en(veterinario, sede, field="veterinario")
    lock_rows(Paciente.objects.filter(pk=paciente.pk)).exists()
    if propietario:
        lock_rows(Cliente.objects.filter(pk=paciente.propietario_id)).exists()


def _check_sede_reserva(sede):
    if not (sede.activo and sede.reserva_online):
        raise _invalid("sede", _("Esta sede no admite reservas en línea."), "hueco_no_disponible")


def _check_reserva_cliente(*, paciente, veterinario, sede, inicio, fin, campo_duracion):
    """What a `cliente` user may book online (staff are free to book anything else):

    - a length in `DURACIONES_RESERVA` (error on `campo_duracion`: `duracion_minutos` or `fin`);
    - `inicio` at most `RESERVA_MAX_DIAS` days from now (`reserva_fuera_de_plazo`);
    - at a sede that takes online bookings (`hueco_no_disponible` on `sede`);
    - exactly a slot `disponibilidad` offers at that sede: on the grid, inside the vet's
      horario there (or the clinic's hours), not before now, free (`hueco_no_disponible`);
    - at most `RESERVA_MAX_ACTIVAS` active citas from now on for the owner, all their
      pacientes together (`reserva_limite_activas`).

    Run under the lock of the vet, the paciente and the owner, so the slot and the count
    are current."""
    _check_sede_reserva(sede)
    minutos = (_utc(fin) - _utc(inicio)) / datetime.timedelta(minutes=1)
    if minutos not in settings.DURACIONES_RESERVA:
        raise ValidationError(
            {
                campo_duracion: ValidationError(
                    _("La reserva en línea admite citas de %(duraciones)s minutos.")
                    % {"duraciones": ", ".join(str(d) for d in settings.DURACIONES_RESERVA)},
                    code="hueco_no_disponible",
                )
            }
        )
    now = timezone.now()
    if inicio > now + datetime.timedelta(days=settings.RESERVA_MAX_DIAS):
        raise ValidationError(
            {
                "inicio": ValidationError(
                    _("Solo se puede reservar con %(dias)s días de antelación como máximo.")
                    % {"dias": settings.RESERVA_MAX_DIAS},
                    code="reserva_fuera_de_plazo",
                )
            }
        )
    huecos = disponibilidad(
        veterinario=veterinario,
        fecha=timezone.localdate(inicio, sede.zona),
        duracion_minutos=int(minutos),
        sede=sede,
        now=now,
    )
    if not any(hueco.inicio == inicio for hueco in huecos):
        raise ValidationError(
            {
                "inicio": ValidationError(
                    _("Ese horario no está disponible para reservar; elija uno de los huecos libres."),
                    code="hueco_no_disponible",
                )
            }
        )
    activas = Cita.objects.filter(
        paciente__propietario_id=paciente.propietario_id, estado__in=ESTADOS_ACTIVOS, inicio__gte=now
    )
    if activas.count() >= settings.RESERVA_MAX_ACTIVAS:
        raise ValidationError(
            _("Ya tiene %(max)s citas pendientes; cancele alguna o llame a la clínica para reservar más.")
            % {"max": settings.RESERVA_MAX_ACTIVAS},
            code="reserva_limite_activas",
        )


# --- citas ---------------------------------------------------------------------------------


def cita_validate(*, paciente, veterinario, inicio, fin, sede=None, cita=None, actor=None) -> None:
    """The booking rules, without writing or locking: lets the admin's form show them as
    form errors. The writing services run them again under the lock."""
    if cita is not None and cita.estado not in ESTADOS_REPROGRAMABLES:
        raise Conflict(_("Solo se puede reprogramar una cita programada o confirmada."), NO_REPROGRAMABLE)
    fin = _resolve_fin(inicio=inicio, fin=fin, duracion_minutos=None)
    if cita is None or inicio != cita.inicio:
        _check_not_past(inicio)
    _check_paciente(paciente)
    _check_veterinario(veterinario)
    _check_sede(actor=actor, sede=resolve_sede(sede), veterinario=veterinario)
    _check_cita_free(veterinario=veterinario, paciente=paciente, inicio=inicio, fin=fin, exclude=cita)


@retry_on_deadlock
@transaction.atomic
def cita_create(
    *, actor, paciente, veterinario, inicio, motivo, sede=None, fin=None, duracion_minutos=None, notas=""
) -> Cita:
    """Books a cita at `sede` (omitted: the only active one). A `cliente` user books only for
    its own pacientes, and only what `disponibilidad` offers (see `_check_reserva_cliente`)."""
    es_cliente = actor.rol == Rol.CLIENTE
    if es_cliente and paciente.propietario.usuario_id != actor.pk:
        raise _invalid("paciente", _("Paciente no válido."), "does_not_exist")
    campo_duracion = "fin" if fin is not None else "duracion_minutos"
    inicio = _utc(inicio)
    fin = _resolve_fin(inicio=inicio, fin=fin, duracion_minutos=duracion_minutos)
    if not es_cliente:
        # An owner's start in the past is not a slot disponibilidad offers: refused below as
        # `hueco_no_disponible`, like any other start it does not offer.
        _check_not_past(inicio)
    _check_paciente(paciente)
    _check_veterinario(veterinario)
    sede = resolve_sede(sede)
    if es_cliente:
        # What an owner may not book looks the same whatever the reason (`hueco_no_disponible`),
        # before any rule that would tell an inactive sede from one without online booking.
        _check_sede_reserva(sede)
    _check_sede(actor=None if es_cliente else actor, sede=sede, veterinario=veterinario)
    _lock_agenda(veterinario=veterinario, paciente=paciente, sede=sede, propietario=es_cliente)
    if es_cliente:
        _check_reserva_cliente(
            paciente=paciente,
            veterinario=veterinario,
            sede=sede,
            inicio=inicio,
            fin=fin,
            campo_duracion=campo_duracion,
        )
    _check_cita_free(veterinario=veterinario, paciente=paciente, inicio=inicio, fin=fin)
    cita = Cita(
        sede=sede,
        paciente=paciente,
        veterinario=veterinario,
        inicio=inicio,
        fin=fin,
        motivo=motivo,
        notas=notas,
        creado_por=actor,
    )
    _save_cita(cita, actor=actor)
    events.publish("cita.creada", instance=cita, sede=cita.sede_id)
    return cita


@retry_on_deadlock
@transaction.atomic
def cita_update(*, actor, cita, data) -> Cita:
    """Edits a cita. Moving it (inicio, fin, duración, veterinario, sede) is allowed only while
    programada or confirmada, and re-checks every booking rule. (A `cliente` user may not
    edit citas at all, see the viewset's roles, so the online-booking rules do not apply.)"""
    # Only the cita's own row (`of`): its paciente and vet are locked later, in the lock order.
    cita = lock_rows(
        Cita.objects.select_related("paciente", "veterinario", "sede").filter(pk=cita.pk), of=("self",)
    ).get()
    reprograma = any(name in data and data[name] != getattr(cita, name) for name in CITA_FIELDS_AGENDA) or (
        data.get("duracion_minutos") not in (None, cita.duracion_minutos)
    )
    if reprograma:
        if cita.estado not in ESTADOS_REPROGRAMABLES:
            raise Conflict(_("Solo se puede reprogramar una cita programada o confirmada."), NO_REPROGRAMABLE)
        inicio = _utc(data.get("inicio", cita.inicio))
        veterinario = data.get("veterinario", cita.veterinario)
        sede = data.get("sede") or cita.sede
        if "fin" in data or "duracion_minutos" in data:
            fin = _resolve_fin(inicio=inicio, fin=data.get("fin"), duracion_minutos=data.get("duracion_minutos"))
        else:
            # Moving the start keeps the length of the cita.
            fin = _resolve_fin(inicio=inicio, fin=inicio + (_utc(cita.fin) - _utc(cita.inicio)), duracion_minutos=None)
        if inicio != cita.inicio:
            _check_not_past(inicio)
        _check_paciente(cita.paciente)
        _check_veterinario(veterinario)
        _check_sede(actor=actor, sede=sede, veterinario=veterinario)
        _lock_agenda(veterinario=veterinario, paciente=cita.paciente, sede=sede)
        _check_cita_free(veterinario=veterinario, paciente=cita.paciente, inicio=inicio, fin=fin, exclude=cita)
        cita.inicio, cita.fin, cita.veterinario, cita.sede = inicio, fin, veterinario, sede
    changed = reprograma
    for name in CITA_FIELDS_LIBRES:
        if name in data and data[name] != getattr(cita, name):
            setattr(cita, name, data[name])
            changed = True
    if changed:
        _save_cita(cita, actor=actor)
        events.publish("cita.actualizada", instance=cita, sede=cita.sede_id)
    return cita


@retry_on_deadlock
@transaction.atomic
def cita_transition(*, cita, accion, actor, motivo="") -> Cita:
    """Moves a cita through the state machine (`TRANSICIONES`); anything else is a 409."""
    origen, destino = TRANSICIONES[accion]
    cita = lock_rows(Cita.objects.filter(pk=cita.pk)).get()
    if cita.estado not in origen:
        raise Conflict(
            _("No se puede %(accion)s una cita en estado «%(estado)s».")
            % {"accion": accion.replace("-", " "), "estado": cita.get_estado_display()},
            TRANSICION_INVALIDA,
        )
    estado_anterior, cita.estado = cita.estado, destino
    if destino == EstadoCita.CANCELADA:
        cita.motivo_cancelacion = motivo or ""
    cita._history_user = actor
    cita.save(update_fields=["estado", "motivo_cancelacion", "actualizado_en"])
    datos = {**events.representation(cita), "estado_anterior": estado_anterior}
    events.publish("cita.estado_cambiado", instance=cita, sede=cita.sede_id, datos=datos)
    return cita


@retry_on_deadlock
@transaction.atomic
def cita_delete(*, actor, cita) -> None:
    pk, sede = cita.pk, getattr(cita, "sede_id", None)
    delete_or_conflict(
        cita, actor=actor, detail=_("La cita tiene consultas asociadas y no puede eliminarse."), code=TIENE_HISTORIAL
    )
    events.publish("cita.eliminada", instance=cita, sede=sede, datos={"id": pk})


# --- horarios --------------------------------------------------------------------------------


# How far ahead two horario rows are compared in real time: a whole year, so that each weekday
# is seen under every combination of the two zones' DST states (zones change on different dates).
HORARIO_SOLAPE_DIAS = 371


def _periodo_real(fecha, horario):
    """The row's period on `fecha` (its weekday), in UTC: its hours are local to its sede."""
    tz = horario.sede.zona
    inicio = datetime.datetime.combine(fecha, horario.hora_inicio, tzinfo=tz).astimezone(datetime.UTC)
    return inicio, datetime.datetime.combine(fecha, horario.hora_fin, tzinfo=tz).astimezone(datetime.UTC)


def _horarios_solapan(a, b, *, desde) -> bool:
    """Whether rows `a` and `b` of one vet are ever at the same instant on the dates from `desde`
    over `HORARIO_SOLAPE_DIAS`: their hours are local to their sedes, so rows at sedes in
    different zones are compared in real time (Madrid 14:00 is Canary 13:00), on each date,
    whatever the offset between the zones that week. A zone ahead or behind may put `b` on the
    weekday before or after `a`'s. Rows of one zone compare as they read (one step)."""
    if a.sede.zona_horaria == b.sede.zona_horaria:
        return a.dia_semana == b.dia_semana and a.hora_inicio < b.hora_fin and b.hora_inicio < a.hora_fin
    for offset in range(HORARIO_SOLAPE_DIAS):
        fecha = desde + datetime.timedelta(days=offset)
        if fecha.weekday() != a.dia_semana:
            continue
        inicio_a, fin_a = _periodo_real(fecha, a)
        for dias in (-2, -1, 0, 1, 2):
            otra = fecha + datetime.timedelta(days=dias)
            if otra.weekday() == b.dia_semana:
                inicio_b, fin_b = _periodo_real(otra, b)
                if inicio_a < fin_b and inicio_b < fin_a:
                    return True
    return False


def _check_horario_free(horario):
    """One vet's rows may not overlap, whatever their sedes: a vet is in one place at a time
    (the lock on the vet makes the check current). Compared in real time over the coming year
    (`_horarios_solapan`), since each row's hours are in its own sede's zone."""
    cercanos = {(horario.dia_semana + dias) % 7 for dias in (-2, -1, 0, 1, 2)}
    otros = (
        HorarioAtencion.objects.filter(veterinario=horario.veterinario, dia_semana__in=cercanos)
        .exclude(pk=horario.pk)
        .select_related("sede")
    )
    desde = timezone.localdate(timezone.now(), horario.sede.zona) - datetime.timedelta(days=1)
    if any(_horarios_solapan(horario, otro, desde=desde) for otro in otros):
        raise ValidationError(_("El horario se solapa con otro del mismo veterinario ese día."), code="solape_horario")


@retry_on_deadlock
@transaction.atomic
def horario_save(*, actor, horario, data=None) -> HorarioAtencion:
    """Creates or edits an opening period at a sede where the vet works (omitted: the only
    active one); periods of one vet and weekday may not overlap, whatever their sedes."""
    for name, value in (data or {}).items():
        setattr(horario, name, value)
    if horario.sede_id is None:
        horario.sede = resolve_sede(None)
    if actor is not None and not works_at(actor, horario.sede):  # a key narrowed to other sedes
        raise _invalid("sede", _("La sede no existe."), "does_not_exist")
    # Checked on the locked vet row: a deactivation or a removal from the sede that committed
    # meanwhile (accounts.services, under the same lock) wins.
    _check_veterinario(lock_veterinario(horario.veterinario))
    _check_trabaja_en(horario.veterinario, horario.sede_id, field="sede")
    horario.full_clean()
    _check_horario_free(horario)
    horario.save()
    return horario


@retry_on_deadlock
@transaction.atomic
def horario_delete(*, actor, horario) -> None:
    delete_or_conflict(horario, actor=actor, detail=_("No se puede eliminar el horario."))


# --- bloqueos --------------------------------------------------------------------------------


def _check_bloqueo_owner(*, actor, veterinario):
    """The bloqueo's vet may be named by `actor` (Bloqueo.ownership: a vet, only themselves)."""
    if not may_author(actor, Bloqueo, veterinario):
        raise PermissionDenied(_("Un veterinario solo gestiona sus propios bloqueos."))


def _check_bloqueo_free(bloqueo, *, actor):
    """A bloqueo may not cover active citas of its vet (409 `bloqueo_con_citas`), wherever they
    are; `citas` lists the ids `actor` may see (`Cita.ownership`), the others are only counted
    in the message, so the answer tells nothing of sedes the caller does not work at."""
    citas = list(
        Cita.objects.filter(
            veterinario=bloqueo.veterinario, estado__in=ESTADOS_ACTIVOS, inicio__lt=bloqueo.fin, fin__gt=bloqueo.inicio
        )
        .order_by("inicio", "id")
        .values_list("id", flat=True)
    )
    if not citas:
        return
    visibles = set(Cita.objects.visible_to(actor).filter(pk__in=citas).values_list("pk", flat=True))
    detail = _("El bloqueo se solapa con citas activas del veterinario; reprográmelas o cancélelas antes.")
    ocultas = len(citas) - len(visibles)
    if ocultas:
        detail += " " + ngettext(
            "%(n)s de ellas es de una sede en la que usted no trabaja.",
            "%(n)s de ellas son de sedes en las que usted no trabaja.",
            ocultas,
        ) % {"n": ocultas}
    raise Conflict(detail, BLOQUEO_CON_CITAS, extra={"citas": [pk for pk in citas if pk in visibles]})


@retry_on_deadlock
@transaction.atomic
def bloqueo_save(*, actor, bloqueo, data) -> Bloqueo:
    """Creates or moves a bloqueo. It may not cover active citas of the vet (409 with their ids)."""
    if bloqueo.pk:
        _check_bloqueo_owner(actor=actor, veterinario=bloqueo.veterinario)
    for name, value in data.items():
        setattr(bloqueo, name, value)
    if bloqueo.creado_por_id is None:
        bloqueo.creado_por = actor
    _check_bloqueo_owner(actor=actor, veterinario=bloqueo.veterinario)
    _check_veterinario(bloqueo.veterinario)
    if bloqueo.fin <= bloqueo.inicio:
        raise _invalid("fin", _("El fin debe ser posterior al inicio."), "fin_antes_de_inicio")
    _check_veterinario(lock_veterinario(bloqueo.veterinario))  # again, on the locked row
    _check_bloqueo_free(bloqueo, actor=actor)
    return save_validated(bloqueo, actor=actor)


@retry_on_deadlock
@transaction.atomic
def bloqueo_delete(*, actor, bloqueo) -> None:
    _check_bloqueo_owner(actor=actor, veterinario=bloqueo.veterinario)
    delete_or_conflict(bloqueo, actor=actor, detail=_("No se puede eliminar el bloqueo."))


# --- disponibilidad ---------------------------------------------------------------------------


def clinic_hours():
    return parse_clinic_hours(settings.CLINIC_HOURS)


def disponibilidad(
    *, veterinario, fecha, duracion_minutos, sede=None, solo_reserva_online=False, solo_sedes=None, now=None
) -> list[Hueco]:
    """Free slots of `veterinario` on `fecha`, at `sede` or at every active sede of the vet
    (`solo_reserva_online`: only those that take online bookings; `solo_sedes`: only those of
    these ids, an integration key's), each in its sede's zone:
    `fecha` and the horario's hours are local to the sede. A vet without horario rows works
    `CLINIC_HOURS` at each of their sedes. Each instant is offered at one sede. Three queries
    (four without horario rows), whatever the day holds."""
    # Only rows at sedes the vet works at: rows left behind at a sede they have left (however
    # that happened) offer nothing a booking would then refuse.
    horarios = list(veterinario.horarios.filter(sede__personal=veterinario).select_related("sede"))
    if horarios:
        periods = defaultdict(list)
        for h in horarios:
            if h.dia_semana == fecha.weekday():
                periods[h.sede].append((h.hora_inicio, h.hora_fin))
    else:
        hours = clinic_hours().get(fecha.weekday(), [])
        periods = dict.fromkeys(sedes_activas().filter(personal=veterinario), hours)
    periods = {
        s: rows
        for s, rows in periods.items()
        if rows
        and s.activo
        and (sede is None or s.pk == sede.pk)
        and (s.reserva_online or not solo_reserva_online)
        and (solo_sedes is None or s.pk in solo_sedes)
    }
    if not periods:
        return []
    ranges = [local_day_range(fecha, s.zona) for s in periods]
    day_start, day_end = min(start for start, _end in ranges), max(end for _start, end in ranges)
    busy = list(
        Cita.objects.filter(
            veterinario=veterinario, estado__in=ESTADOS_ACTIVOS, inicio__lt=day_end, fin__gt=day_start
        ).values_list("inicio", "fin")
    )
    busy += list(
        Bloqueo.objects.filter(veterinario=veterinario, inicio__lt=day_end, fin__gt=day_start).values_list(
            "inicio", "fin"
        )
    )
    now = now or timezone.now()
    huecos = []
    for s, rows in periods.items():
        huecos += free_slots(
            fecha=fecha,
            periods=sorted(rows),
            busy=busy,
            duracion=datetime.timedelta(minutes=duracion_minutos),
            step=datetime.timedelta(minutes=settings.SLOT_MINUTES),
            now=now,
            tz=s.zona,
            sede=s.pk,
        )
    # A vet is in one place at a time: where the slots of two sedes overlap (the clinic's hours
    # at each of them, rows stored before their overlap was checked in real time), the first
    # sede by id keeps its slot and the other's goes. A day holds a few dozen slots per sede.
    ofrecidos = []
    for hueco in sorted(huecos, key=lambda hueco: (hueco.sede, hueco.inicio)):
        if not any(o.sede != hueco.sede and o.inicio < hueco.fin and hueco.inicio < o.fin for o in ofrecidos):
            ofrecidos.append(hueco)
    return sorted(ofrecidos, key=lambda hueco: (hueco.inicio, hueco.sede))
