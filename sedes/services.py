"""Writes on sedes, and the sede a write lands at when its caller names none."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Rol
from accounts.scoping import sedes_de_clave, works_at
from accounts.services import personal_leave_sedes
from core.exceptions import TIENE_HISTORIAL, Conflict
from core.phones import normalize_phone
from core.services import delete_or_conflict, model_update, save_validated

from .models import Sede
from .selectors import sede_unica

EDITABLE_FIELDS = (
    "nombre",
    "codigo",
    "direccion",
    "telefono",
    "email",
    "zona_horaria",
    "reserva_online",
    "activo",
)


def _normalized(data):
    data = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    if "telefono" in data:
        data["telefono"] = normalize_phone(data["telefono"])
    return data


@transaction.atomic
def sede_create(*, actor, **data) -> Sede:
    return save_validated(Sede(**_normalized(data)), actor=actor)


@transaction.atomic
def sede_update(*, actor, sede, data) -> Sede:
    sede, _changed = model_update(actor=actor, instance=sede, data=_normalized(data), fields=EDITABLE_FIELDS)
    return sede


@transaction.atomic
@transaction.atomic
def sede_set_personal(*, actor, sede, usuarios) -> Sede:
    """The staff who work at `sede` (veterinarios and recepcionistas; an admin works at all).
    Those taken off it leave it by the users' own rule (accounts.services.personal_leave_sedes:
    409 tiene_citas_futuras while they have citas pending there; their horario rows there go)."""
    quedan = {usuario.pk for usuario in usuarios}
    for usuario in sede.personal.exclude(pk__in=quedan).order_by("pk"):
        personal_leave_sedes(actor=actor, user=usuario, sedes=[sede.pk])
    sede.personal.set(usuarios)
    return sede


@transaction.atomic
def sede_delete(*, actor, sede) -> None:
    """Removes a sede nothing belongs to yet; one with citas, horarios, consultas, facturas,
    webhooks, plantillas (their foreign keys PROTECT it), staff or integration keys is deactivated
    instead (409 tiene_historial). A key narrowed to its sedes must never lose the last of them
    to a deletion: no sedes means all of them."""
    detail = _(
        "La sede tiene citas, horarios, facturas, personal, webhooks, plantillas o claves de integración "
        "y no puede eliminarse; desactívela."
    )
    if sede.personal.exists() or _nombrada_por_muchos_a_muchos(sede):
        raise Conflict(detail, TIENE_HISTORIAL)
    delete_or_conflict(sede, actor=actor, detail=detail, code=TIENE_HISTORIAL)


def _nombrada_por_muchos_a_muchos(sede) -> bool:
    """Whether a row of another app names `sede` through a many-to-many (an integration key's
    `sedes`): deleting the sede would silently drop it from that list."""
    return any(
        getattr(sede, relation.get_accessor_name()).exists()
        for relation in Sede._meta.related_objects
        if relation.many_to_many
    )


def resolve_sede(sede, *, field="sede", default=None):
    """The sede a write lands at: the one named, else `default` (one that follows from the
    data: a consulta's cita), else the only active sede; with several and none of those,
    `field` is required (400)."""
    if sede is not None:
        return sede
    if default is not None:
        return default
    unica = sede_unica()
    if unica is None:
        raise ValidationError(
            {field: ValidationError(_("Indique la sede: hay varias sedes activas."), code="required")}
        )
    return unica


def check_sede_activa(sede, *, field="sede"):
    if not sede.activo:
        raise ValidationError({field: ValidationError(_("La sede no está activa."), code="sede_inactiva")})


def check_sede_o_todas(*, actor, sede, field="sede"):
    """A setting that applies at `sede`, or at every sede when None (a webhook's events, a
    reminder template): its author must act there (`accounts.scoping.works_at`; an integration
    key, at one of its sedes: any other is `does_not_exist`), and only an admin not narrowed to
    sedes writes one for all of them (`required`)."""
    if actor is None:
        return
    if sede is None:
        if actor.rol != Rol.ADMIN or sedes_de_clave(actor) is not None:
            raise ValidationError(
                {field: ValidationError(_("Indique una de sus sedes: no puede valer para todas."), code="required")}
            )
    elif not works_at(actor, sede):
        raise ValidationError({field: ValidationError(_("La sede no existe."), code="does_not_exist")})


def check_sede_de_trabajo(*, actor, sede, field="sede"):
    """Where `actor` books, records or invoices: an active sede (sede_inactiva) they may act at
    (`accounts.scoping.works_at`: an admin anywhere, other staff where they work, an integration
    key at its sedes; sede_no_permitida). Citas, consultas, facturas and cargos ask it alike."""
    check_sede_activa(sede, field=field)
    if not works_at(actor, sede):
        raise ValidationError({field: ValidationError(_("No trabaja en esa sede."), code="sede_no_permitida")})
