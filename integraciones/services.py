"""Writes on webhooks and integraciones."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Rol, User
from core.services import model_update, save_validated
from sedes.services import check_sede_o_todas

from . import deliveries
from .models import ClaveIntegracion, Entrega, EstadoEntrega, Integracion, Webhook

WEBHOOK_FIELDS = ("url", "eventos", "sede", "activo")
INTEGRACION_FIELDS = ("nombre", "permisos", "activo")


def nuevo_secreto() -> str:
    return secrets.token_hex(32)


def _check_url(url):
    try:
        deliveries.comprobar_url(url)
    except deliveries.DireccionNoPermitida as exc:
        raise ValidationError({"url": ValidationError(str(exc), code="url_no_permitida")}) from exc


# --- webhooks -------------------------------------------------------------------------------


@transaction.atomic
def webhook_create(*, actor, url, eventos, sede=None, activo=True) -> Webhook:
    """A webhook with a fresh secret (the caller shows it once). Its URL must be https (http
    only to loopback with DEBUG) and reach a public address (integraciones.deliveries)."""
    _check_url(url)
    check_sede_o_todas(actor=actor, sede=sede)
    webhook = Webhook(url=url, eventos=eventos, sede=sede, activo=activo, secreto=nuevo_secreto())
    return save_validated(webhook, actor=actor)


@transaction.atomic
def webhook_update(*, actor, webhook, data) -> Webhook:
    """Reactivating a webhook clears its count of failures."""
    if "url" in data:
        _check_url(data["url"])
    if "sede" in data:
        check_sede_o_todas(actor=actor, sede=data["sede"])
    reactivado = data.get("activo") and not webhook.activo
    webhook, _changed = model_update(actor=actor, instance=webhook, data=data, fields=WEBHOOK_FIELDS)
    if reactivado:
        Webhook.objects.filter(pk=webhook.pk).update(fallos_consecutivos=0, desactivado_motivo="")
        webhook.fallos_consecutivos, webhook.desactivado_motivo = 0, ""
    return webhook


@transaction.atomic
def webhook_delete(*, actor, webhook) -> None:
    webhook._history_user = actor
    webhook.delete()


@transaction.atomic
def webhook_rotar_secreto(*, actor, webhook) -> Webhook:
    webhook.secreto = nuevo_secreto()
    return save_validated(webhook, actor=actor, update_fields=["secreto", "actualizado_en"])


@transaction.atomic
def webhook_probar(*, actor, webhook) -> Entrega:
    """Sends a `ping` to the webhook now (queued after commit; not retried)."""
    entrega = Entrega.objects.create(webhook=webhook, evento=None, tipo="ping", proximo_intento=timezone.now())
    deliveries.encolar([entrega.pk])
    return entrega


@transaction.atomic
def entrega_reenviar(*, actor, entrega) -> Entrega:
    """Queues a delivery again, whatever became of it: a new round of attempts from now."""
    entrega = Entrega.objects.select_for_update().get(pk=entrega.pk)
    entrega.estado, entrega.proximo_intento, entrega.intento = EstadoEntrega.PENDIENTE, timezone.now(), 0
    entrega.save(update_fields=["estado", "proximo_intento", "intento", "actualizado_en"])
    deliveries.encolar([entrega.pk])
    return entrega


# --- integraciones ----------------------------------------------------------------------------


def _nueva_clave(integracion) -> str:
    """Revokes the integration's keys and gives it a new one, returned in clear (once)."""
    ClaveIntegracion.objects.filter(integracion=integracion, revoked=False).update(revoked=True)
    _registro, clave = ClaveIntegracion.objects.create_key(integracion=integracion, name=integracion.nombre[:50])
    return clave


def _usuario_de_servicio(nombre) -> User:
    """The integration's own user: rol admin (staff visibility, narrowed by the key's permisos and
    sedes), no usable password (nobody logs in as it); the author of its writes in the audit."""
    usuario = User(
        email=f"integracion-{secrets.token_hex(8)}@integraciones.invalid", nombre=nombre[:100], rol=Rol.ADMIN
    )
    usuario.set_unusable_password()
    usuario.save()
    return usuario


@transaction.atomic
def integracion_create(*, actor, nombre, permisos, sedes=(), activo=True) -> tuple[Integracion, str]:
    """An integration, its service user and its first key; returns (integracion, clave)."""
    integracion = Integracion(
        nombre=nombre, permisos=permisos, activo=activo, usuario=_usuario_de_servicio(f"Integración {nombre}")
    )
    save_validated(integracion, actor=actor)
    integracion.sedes.set(sedes)
    return integracion, _nueva_clave(integracion)


@transaction.atomic
def integracion_update(*, actor, integracion, data) -> Integracion:
    integracion, _changed = model_update(actor=actor, instance=integracion, data=data, fields=INTEGRACION_FIELDS)
    if "sedes" in data:
        integracion.sedes.set(data["sedes"])
    if "nombre" in data:
        User.objects.filter(pk=integracion.usuario_id).update(nombre=f"Integración {integracion.nombre}"[:100])
    return integracion


@transaction.atomic
def integracion_rotar_clave(*, actor, integracion) -> str:
    """A new key; the old one stops working at once (401)."""
    return _nueva_clave(integracion)


@transaction.atomic
def integracion_delete(*, actor, integracion) -> None:
    """Removes the integration and its keys; its service user stays, deactivated, as the author
    of what it wrote."""
    usuario = integracion.usuario
    integracion.delete()
    usuario.is_active = False
    usuario.save(update_fields=["is_active"])
