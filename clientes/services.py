"""Writes on clientes."""

from django.db import transaction
from django.utils.translation import gettext as _

from core import events
from core.exceptions import TIENE_HISTORIAL, Conflict
from core.phones import normalize_phone
from core.services import delete_or_conflict, model_update, save_validated

from .models import Cliente

STAFF_EDITABLE_FIELDS = (
    "nombre",
    "apellidos",
    "documento",
    "email",
    "telefono",
    "movil",
    "direccion",
    "ciudad",
    "notas",
    "acepta_email",
    "acepta_sms",
    "acepta_whatsapp",
    "canal_preferido",
    "idioma",
    "activo",
)
# What a pet owner may change of their own record from the portal: their contact details and
# which channels they consent to.
OWNER_EDITABLE_FIELDS = (
    "nombre",
    "apellidos",
    "email",
    "telefono",
    "movil",
    "direccion",
    "ciudad",
    "acepta_email",
    "acepta_sms",
    "acepta_whatsapp",
    "canal_preferido",
    "idioma",
)
PHONE_FIELDS = ("telefono", "movil")


def normalized(data):
    """`data` with its phones in the stored form (core.phones.normalize_phone): the API, the
    admin and `importar_clientes` store the same value for the same number."""
    return {name: normalize_phone(value) if name in PHONE_FIELDS else value for name, value in data.items()}


@transaction.atomic
def cliente_create(*, actor, **data) -> Cliente:
    cliente = Cliente(**{k: v for k, v in normalized(data).items() if k in STAFF_EDITABLE_FIELDS})
    save_validated(cliente, actor=actor)
    events.publish("cliente.creado", instance=cliente)
    return cliente


@transaction.atomic
def cliente_update(*, actor, cliente, data, fields=STAFF_EDITABLE_FIELDS) -> Cliente:
    cliente, changed = model_update(actor=actor, instance=cliente, data=normalized(data), fields=fields)
    if changed:
        events.publish("cliente.actualizado", instance=cliente)
    return cliente


@transaction.atomic
def cliente_delete(*, actor, cliente) -> None:
    """Removes a client with no pacientes; one with pacientes must be deactivated instead (409)."""
    if cliente.pacientes.exists():
        raise Conflict(_("El cliente tiene pacientes y no puede eliminarse; desactívelo en su lugar."), TIENE_HISTORIAL)
    pk = cliente.pk
    delete_or_conflict(
        cliente,
        actor=actor,
        detail=_("El cliente tiene historial y no puede eliminarse; desactívelo."),
        code=TIENE_HISTORIAL,
    )
    events.publish("cliente.eliminado", instance=cliente, datos={"id": pk})
