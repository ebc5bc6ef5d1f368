"""Writes on the clinical record (consultas, vacunas).

Lock order: writes on consultas lock the paciente's row, and nothing after it, with
`SELECT ... FOR NO KEY UPDATE` (`core.services.lock_rows`). That is step 3 of the one lock
order every service follows (1. the cita, 2. the veterinario, 3. the paciente, 4. the owner;
spelt out in `citas.services`). The consulta's own row points at the vet, and inserting it
takes FOR KEY SHARE on the vet's user row; bookings lock that row FOR NO KEY UPDATE, which
does not block FOR KEY SHARE, so a consulta never waits for a booking while holding the
paciente a booking wants. A deadlock or serialization failure left over is retried by
`retry_on_deadlock`, then answered 409, never 500.

A consulta's weight becomes the paciente's: the rule is `pacientes.services.sync_peso`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Rol
from accounts.scoping import CHANGE, clave_permite, may
from accounts.selectors import es_veterinario_activo
from core import events
from core.services import delete_or_conflict, lock_rows, model_update, retry_on_deadlock, save_validated
from pacientes.models import Paciente
from pacientes.services import sync_peso
from sedes.services import check_sede_de_trabajo, resolve_sede

from .models import Consulta, Vacuna

CONSULTA_EDITABLE_FIELDS = (
    "sede",
    "cita",
    "fecha",
    "motivo",
    "anamnesis",
    "examen_fisico",
    "diagnostico",
    "tratamiento",
    "peso_kg",
    "temperatura_c",
    "notas",
)
VACUNA_EDITABLE_FIELDS = ("nombre", "lote", "fecha_aplicacion", "proxima_dosis", "notas")

# A consulta with a cita takes place at the cita's sede; naming another is this 400 on `sede`.
SEDE_DISTINTA_DE_CITA = "sede_distinta_de_cita"

# What a higher app charges for the productos given at a consulta or vacuna (facturacion
# registers its cargos from its AppConfig.ready, so this app never imports it).
_cargos = []


def register_cargos(callback) -> None:
    """`callback(actor=, origen=, cliente=, paciente=, sede=, productos=)` runs in the transaction
    of every consulta or vacuna created with `productos` ([{"producto": id, "cantidad"}])."""
    if callback not in _cargos:
        _cargos.append(callback)


def _cargar(*, actor, origen, productos, sede=None):
    """Charges `productos` at `sede` (a consulta's own sede when not given; a vacuna has none,
    its caller names one or the only active sede applies: the callback resolves and checks it)."""
    if not productos:
        return
    if not clave_permite(actor, "facturas", "write"):
        raise PermissionDenied(_("La clave de integración no puede facturar (facturas:write)."))
    paciente = origen.paciente
    for callback in _cargos:
        callback(
            actor=actor,
            origen=origen,
            cliente=paciente.propietario,
            paciente=paciente,
            sede=sede if sede is not None else getattr(origen, "sede", None),
            productos=productos,
        )


def _check_veterinario(veterinario):
    if veterinario is None:
        raise ValidationError(
            {"veterinario": ValidationError(_("Indique el veterinario de la consulta."), code="required")}
        )
    if not es_veterinario_activo(veterinario):
        raise ValidationError(
            {
                "veterinario": ValidationError(
                    _("Debe ser un usuario activo con rol veterinario."), code="veterinario_no_valido"
                )
            }
        )


def sede_de_consulta(*, sede, cita, veterinario):
    """Where a consulta took place: its cita's sede (naming another is 400
    sede_distinta_de_cita), else the sede named, else the vet's only active sede, else the only
    active one (several and none of these: `sede` is required)."""
    if cita is not None:
        if sede is not None and sede.pk != cita.sede_id:
            raise ValidationError(
                {
                    "sede": ValidationError(
                        _("La consulta de una cita tiene lugar en la sede de la cita."), code=SEDE_DISTINTA_DE_CITA
                    )
                }
            )
        sede = cita.sede
    if sede is None and veterinario is not None:
        sedes = list(veterinario.sedes.filter(activo=True)[:2])
        sede = sedes[0] if len(sedes) == 1 else None
    return resolve_sede(sede)


def check_sede_de_consulta(*, actor, sede):
    """A consulta is recorded at an active sede (sede_inactiva) where its author works
    (`accounts.scoping.works_at`: an admin anywhere; sede_no_permitida), as citas are booked."""
    check_sede_de_trabajo(actor=actor, sede=sede)


def lock_paciente(paciente):
    """Serialises writes that recompute the paciente's derived weight (see the lock order above)."""
    return lock_rows(Paciente.objects.filter(pk=paciente.pk)).get()


@retry_on_deadlock
@transaction.atomic
def consulta_create(*, actor, paciente, veterinario=None, productos=None, **data) -> Consulta:
    """Records a consulta. The author is the acting vet; only an admin names another vet.
    `productos` given are charged in the same transaction (register_cargos)."""
    if actor.rol != Rol.ADMIN:
        veterinario = actor
    _check_veterinario(veterinario)
    paciente = lock_paciente(paciente)
    fields = {k: v for k, v in data.items() if k in CONSULTA_EDITABLE_FIELDS}
    fields["sede"] = sede_de_consulta(sede=fields.get("sede"), cita=fields.get("cita"), veterinario=veterinario)
    check_sede_de_consulta(actor=actor, sede=fields["sede"])
    consulta = save_validated(Consulta(paciente=paciente, veterinario=veterinario, **fields), actor=actor)
    sync_peso(paciente=paciente, actor=actor)
    # the charges lock the owner's borrador: every row lock before the event's (integraciones.outbox)
    _cargar(actor=actor, origen=consulta, productos=productos)
    events.publish("consulta.creada", instance=consulta, sede=consulta.sede_id)
    return consulta


@retry_on_deadlock
@transaction.atomic
def consulta_update(*, actor, consulta, data) -> Consulta:
    """A vet edits only their own consultas; an admin edits any and may reassign the vet."""
    if not may(actor, consulta, CHANGE):
        raise PermissionDenied(_("Solo el veterinario que registró la consulta puede modificarla."))
    fields = CONSULTA_EDITABLE_FIELDS
    if actor.rol == Rol.ADMIN and "veterinario" in data:
        _check_veterinario(data["veterinario"])
        fields = (*fields, "veterinario")
    paciente = lock_paciente(consulta.paciente)
    # The row as committed, read under the lock; also a clean start when `retry_on_deadlock`
    # runs this again after a rolled-back attempt had already set the new values on it.
    consulta.refresh_from_db()
    data = _con_sede_de_cita(actor=actor, consulta=consulta, data=data)
    consulta, changed = model_update(actor=actor, instance=consulta, data=data, fields=fields)
    if changed:
        events.publish("consulta.actualizada", instance=consulta, sede=consulta.sede_id)
    sync_peso(paciente=paciente, actor=actor)
    return consulta


def _con_sede_de_cita(*, actor, consulta, data):
    """`data` with the sede a change of `sede` or `cita` leads to (sede_de_consulta's rule:
    the cita's sede, checked as on create); other changes leave the sede alone."""
    if "sede" not in data and "cita" not in data:
        return data
    cita = data.get("cita", consulta.cita)
    sede = data.get("sede") or (None if cita is not None else consulta.sede)
    sede = sede_de_consulta(sede=sede, cita=cita, veterinario=consulta.veterinario)
    if sede.pk != consulta.sede_id:
        check_sede_de_consulta(actor=actor, sede=sede)
    return {**data, "sede": sede}


@retry_on_deadlock
@transaction.atomic
def consulta_delete(*, actor, consulta) -> None:
    paciente = lock_paciente(consulta.paciente)
    pk, sede = consulta.pk, getattr(consulta, "sede_id", None)
    delete_or_conflict(consulta, actor=actor, detail=_("La consulta tiene registros relacionados."))
    events.publish("consulta.eliminada", instance=consulta, sede=sede, datos={"id": pk})
    sync_peso(paciente=paciente, actor=actor)


@transaction.atomic
def vacuna_create(*, actor, paciente, productos=None, sede=None, **data) -> Vacuna:
    """Records an applied vaccine; the acting user is recorded as who applied it. `productos`
    given are charged in the same transaction (register_cargos) at `sede` (a vacuna has no sede
    of its own: the caller names the one to charge at, else the only active sede applies)."""
    fields = {k: v for k, v in data.items() if k in VACUNA_EDITABLE_FIELDS}
    vacuna = save_validated(Vacuna(paciente=paciente, veterinario=actor, **fields), actor=actor)
    _cargar(actor=actor, origen=vacuna, productos=productos, sede=sede)
    events.publish("vacuna.creada", instance=vacuna)
    return vacuna


@transaction.atomic
def vacuna_update(*, actor, vacuna, data) -> Vacuna:
    vacuna, changed = model_update(actor=actor, instance=vacuna, data=data, fields=VACUNA_EDITABLE_FIELDS)
    if changed:
        events.publish("vacuna.actualizada", instance=vacuna)
    return vacuna


@transaction.atomic
def vacuna_delete(*, actor, vacuna) -> None:
    pk = vacuna.pk
    delete_or_conflict(vacuna, actor=actor, detail=_("La vacuna tiene registros relacionados."))
    events.publish("vacuna.eliminada", instance=vacuna, datos={"id": pk})
