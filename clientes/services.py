"""Writes on clientes."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import TIENE_HISTORIAL, Conflict
from core.services import delete_or_conflict, model_update, save_validated

from .models import Cliente

STAFF_EDITABLE_FIELDS = (
    "nombre",
    "apellidos",
    "documento",
    "email",
    "telefono",
    "direccion",
    "ciudad",
    "notas",
    "activo",
)
# What a pet owner may change of their own record from the portal.
OWNER_EDITABLE_FIELDS = ("nombre", "apellidos", "email", "telefono", "direccion", "ciudad")


@transaction.atomic
def cliente_create(*, actor, **data) -> Cliente:
    cliente = Cliente(**{k: v for k, v in data.items() if k in STAFF_EDITABLE_FIELDS})
    return save_validated(cliente, actor=actor)


@transaction.atomic
def cliente_update(*, actor, cliente, data, fields=STAFF_EDITABLE_FIELDS) -> Cliente:
    cliente, _changed = model_update(actor=actor, instance=cliente, data=data, fields=fields)
    return cliente


@transaction.atomic
def cliente_delete(*, actor, cliente) -> None:
    """Removes a client with no pacientes; one with pacientes must be deactivated instead (409)."""
    if cliente.pacientes.exists():
        raise Conflict(_("El cliente tiene pacientes y no puede eliminarse; desactívelo en su lugar."), TIENE_HISTORIAL)
    delete_or_conflict(
        cliente,
        actor=actor,
        detail=_("El cliente tiene historial y no puede eliminarse; desactívelo."),
        code=TIENE_HISTORIAL,
    )
