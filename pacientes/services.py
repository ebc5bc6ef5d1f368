"""Writes on pacientes."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.services import delete_or_conflict, model_update, save_validated

from .models import Paciente

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


@transaction.atomic
def paciente_create(*, actor, **data) -> Paciente:
    paciente = Paciente(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    return save_validated(paciente)


@transaction.atomic
def paciente_update(*, actor, paciente, data) -> Paciente:
    paciente, _changed = model_update(instance=paciente, data=data, fields=EDITABLE_FIELDS)
    return paciente


@transaction.atomic
def paciente_delete(*, actor, paciente) -> None:
    """Removes a paciente without history; citas, consultas or vacunas make it a 409."""
    delete_or_conflict(
        paciente,
        detail=_("El paciente tiene citas o historia clínica y no puede eliminarse; desactívelo en su lugar."),
    )
