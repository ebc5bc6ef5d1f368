"""Writes on pacientes and their clinical record (consultas, vacunas)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Rol
from core.services import delete_or_conflict, model_update, save_validated

from .models import Consulta, Paciente, Vacuna

EDITABLE_FIELDS = (
    "nombre",
    "especie",
    "raza",
    "sexo",
    "fecha_nacimiento",
    "color",
    "microchip",
    "esterilizado",
    "peso_kg",
    "alergias",
    "notas",
    "fallecido",
    "fecha_fallecimiento",
    "propietario",
    "activo",
)


PESO_DE_CONSULTA = _lazy("El peso lo fija la última consulta con peso; registre el nuevo peso en una consulta.")


@transaction.atomic
def paciente_create(*, actor, **data) -> Paciente:
    paciente = Paciente(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    return save_validated(paciente, actor=actor)


@transaction.atomic
def paciente_update(*, actor, paciente, data) -> Paciente:
    """Once a consulta has recorded a weight, `peso_kg` follows the consultas (see `sync_peso`):
    a different weight written here would be silently out of date, so it is refused."""
    if "peso_kg" in data and data["peso_kg"] != paciente.peso_kg and _latest_weight(paciente) is not None:
        raise ValidationError({"peso_kg": PESO_DE_CONSULTA})
    paciente, _changed = model_update(actor=actor, instance=paciente, data=data, fields=EDITABLE_FIELDS)
    return paciente


@transaction.atomic
def paciente_delete(*, actor, paciente) -> None:
    """Removes a paciente without history; citas, consultas or vacunas make it a 409."""
    delete_or_conflict(
        paciente,
        actor=actor,
        detail=_("El paciente tiene citas o historia clínica y no puede eliminarse; desactívelo en su lugar."),
    )


# --- Clinical record ---------------------------------------------------------------

CONSULTA_EDITABLE_FIELDS = (
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


def _check_veterinario(veterinario):
    if veterinario is None:
        raise ValidationError({"veterinario": _("Indique el veterinario de la consulta.")})
    if veterinario.rol != Rol.VETERINARIO or not veterinario.is_active:
        raise ValidationError({"veterinario": _("Debe ser un usuario activo con rol veterinario.")})


def _lock(paciente):
    """Serialises writes that recompute the paciente's derived weight."""
    return Paciente.objects.select_for_update().get(pk=paciente.pk)


def _latest_weight(paciente):
    """The weight of the paciente's newest consulta (by fecha) that recorded one, or None."""
    weighed = paciente.consultas.filter(peso_kg__isnull=False).order_by("-fecha", "-id")
    return weighed.values_list("peso_kg", flat=True).first()


def sync_peso(*, paciente, actor=None):
    """Keeps `paciente.peso_kg` equal to the weight of its newest consulta (by fecha) that has one.

    Without any weighed consulta the stored weight (entered by hand) is left alone.
    """
    latest = _latest_weight(paciente)
    if latest is not None and paciente.peso_kg != latest:
        paciente.peso_kg = latest
        save_validated(paciente, actor=actor, update_fields=["peso_kg", "actualizado_en"])


@transaction.atomic
def consulta_create(*, actor, paciente, veterinario=None, **data) -> Consulta:
    """Records a consulta. The author is the acting vet; only an admin names another vet."""
    if actor.rol != Rol.ADMIN:
        veterinario = actor
    _check_veterinario(veterinario)
    paciente = _lock(paciente)
    fields = {k: v for k, v in data.items() if k in CONSULTA_EDITABLE_FIELDS}
    consulta = save_validated(Consulta(paciente=paciente, veterinario=veterinario, **fields), actor=actor)
    sync_peso(paciente=paciente, actor=actor)
    return consulta


@transaction.atomic
def consulta_update(*, actor, consulta, data) -> Consulta:
    """A vet edits only their own consultas; an admin edits any and may reassign the vet."""
    if actor.rol != Rol.ADMIN and consulta.veterinario_id != actor.pk:
        raise PermissionDenied(_("Solo el veterinario que registró la consulta puede modificarla."))
    fields = CONSULTA_EDITABLE_FIELDS
    if actor.rol == Rol.ADMIN and "veterinario" in data:
        _check_veterinario(data["veterinario"])
        fields = (*fields, "veterinario")
    paciente = _lock(consulta.paciente)
    consulta, _changed = model_update(actor=actor, instance=consulta, data=data, fields=fields)
    sync_peso(paciente=paciente, actor=actor)
    return consulta


@transaction.atomic
def consulta_delete(*, actor, consulta) -> None:
    paciente = _lock(consulta.paciente)
    delete_or_conflict(consulta, actor=actor, detail=_("La consulta tiene registros relacionados."))
    sync_peso(paciente=paciente, actor=actor)


@transaction.atomic
def vacuna_create(*, actor, paciente, **data) -> Vacuna:
    """Records an applied vaccine; the acting user is recorded as who applied it."""
    fields = {k: v for k, v in data.items() if k in VACUNA_EDITABLE_FIELDS}
    return save_validated(Vacuna(paciente=paciente, veterinario=actor, **fields), actor=actor)


@transaction.atomic
def vacuna_update(*, actor, vacuna, data) -> Vacuna:
    vacuna, _changed = model_update(actor=actor, instance=vacuna, data=data, fields=VACUNA_EDITABLE_FIELDS)
    return vacuna


@transaction.atomic
def vacuna_delete(*, actor, vacuna) -> None:
    delete_or_conflict(vacuna, actor=actor, detail=_("La vacuna tiene registros relacionados."))
