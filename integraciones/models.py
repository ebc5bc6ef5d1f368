"""The outbox of events, the webhooks that receive them and the integration keys."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from accounts.scoping import Ownership, ScopedQuerySet
from core.models import TimeStampedModel
from sedes.models import Sede

from .permisos import RECURSOS_VETADOS

TODOS = "*"  # a webhook's `eventos` that takes every tipo
PING = "ping"  # the tipo of `probar`'s test delivery (never in the feed)


# Every tipo of the feed (API.md, "Eventos"); the factura, pago and mensaje ones come with their apps.
class TipoEvento(models.TextChoices):
    CLIENTE_CREADO = "cliente.creado", "cliente.creado"
    CLIENTE_ACTUALIZADO = "cliente.actualizado", "cliente.actualizado"
    CLIENTE_ELIMINADO = "cliente.eliminado", "cliente.eliminado"
    PACIENTE_CREADO = "paciente.creado", "paciente.creado"
    PACIENTE_ACTUALIZADO = "paciente.actualizado", "paciente.actualizado"
    PACIENTE_ELIMINADO = "paciente.eliminado", "paciente.eliminado"
    CITA_CREADA = "cita.creada", "cita.creada"
    CITA_ACTUALIZADA = "cita.actualizada", "cita.actualizada"
    CITA_ESTADO_CAMBIADO = "cita.estado_cambiado", "cita.estado_cambiado"
    CITA_ELIMINADA = "cita.eliminada", "cita.eliminada"
    CONSULTA_CREADA = "consulta.creada", "consulta.creada"
    CONSULTA_ACTUALIZADA = "consulta.actualizada", "consulta.actualizada"
    CONSULTA_ELIMINADA = "consulta.eliminada", "consulta.eliminada"
    VACUNA_CREADA = "vacuna.creada", "vacuna.creada"
    VACUNA_ACTUALIZADA = "vacuna.actualizada", "vacuna.actualizada"
    VACUNA_ELIMINADA = "vacuna.eliminada", "vacuna.eliminada"
    FACTURA_EMITIDA = "factura.emitida", "factura.emitida"
    FACTURA_ANULADA = "factura.anulada", "factura.anulada"
    PAGO_REGISTRADO = "pago.registrado", "pago.registrado"
    MENSAJE_FALLIDO = "mensaje.fallido", "mensaje.fallido"


TIPOS_EVENTO = tuple(TipoEvento.values)


class Evento(models.Model):
    """One change, as the API showed the object at that moment. Written in the transaction of the
    change, with an `id` that grows with commit order (integraciones.outbox)."""

    tipo = models.CharField(_("tipo"), max_length=60)
    creado_en = models.DateTimeField(_("creado en"), default=timezone.now)
    sede = models.ForeignKey(
        Sede, verbose_name=_("sede"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    objeto_id = models.BigIntegerField(_("id del objeto"), null=True, blank=True)
    datos = models.JSONField(_("datos"), encoder=DjangoJSONEncoder, default=dict)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evento")
        verbose_name_plural = _("eventos")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["tipo", "id"], name="integ_evento_tipo_id"),
            models.Index(fields=["sede", "id"], name="integ_evento_sede_id"),
            models.Index(fields=["creado_en"], name="integ_evento_creado_en"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.tipo}"


class Webhook(TimeStampedModel):
    url = models.URLField(_("URL"), max_length=500)
    eventos = models.JSONField(_("eventos"), default=list, help_text=_('Lista de tipos, o ["*"] para todos.'))
    sede = models.ForeignKey(
        Sede, verbose_name=_("sede"), on_delete=models.PROTECT, null=True, blank=True, related_name="webhooks"
    )
    activo = models.BooleanField(_("activo"), default=True)
    secreto = models.CharField(_("secreto"), max_length=100, editable=False)
    fallos_consecutivos = models.PositiveIntegerField(_("fallos consecutivos"), default=0, editable=False)
    desactivado_motivo = models.CharField(_("motivo de la desactivación"), max_length=200, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["id"]

    def __str__(self):
        return self.url

    def recibe(self, evento) -> bool:
        """Whether this webhook takes `evento` (its tipo, its sede)."""
        if self.sede_id is not None and evento.sede_id != self.sede_id:
            return False
        return TODOS in self.eventos or evento.tipo in self.eventos


class EstadoEntrega(models.TextChoices):
    PENDIENTE = "pendiente", _("pendiente")
    ENTREGADA = "entregada", _("entregada")
    FALLIDA = "fallida", _("fallida")


class Entrega(TimeStampedModel):
    """The delivery of one event to one webhook, and how its last attempt went. A pendiente one
    whose `proximo_intento` has come is due (integraciones.deliveries)."""

    webhook = models.ForeignKey(Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="entregas")
    evento = models.ForeignKey(
        Evento, verbose_name=_("evento"), on_delete=models.CASCADE, null=True, blank=True, related_name="entregas"
    )
    tipo = models.CharField(_("tipo"), max_length=60)
    intento = models.PositiveIntegerField(_("intentos"), default=0)
    estado = models.CharField(
        _("estado"), max_length=20, choices=EstadoEntrega.choices, default=EstadoEntrega.PENDIENTE
    )
    codigo_http = models.PositiveIntegerField(_("código HTTP"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duracion_ms = models.PositiveIntegerField(_("duración (ms)"), null=True, blank=True)
    proximo_intento = models.DateTimeField(_("próximo intento"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrega")
        verbose_name_plural = _("entregas")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "evento"],
                condition=models.Q(evento__isnull=False),
                name="integ_entrega_una_por_evento",
            ),
            models.CheckConstraint(
                condition=models.Q(estado__in=EstadoEntrega.values), name="integ_entrega_estado_valido"
            ),
        ]
        indexes = [
            models.Index(
                fields=["proximo_intento"],
                condition=models.Q(estado="pendiente"),
                name="integ_entrega_pendientes",
            ),
        ]

    def __str__(self):
        return f"{self.tipo} → {self.webhook_id} ({self.estado})"


class Integracion(TimeStampedModel):
    """An outside system with a key (`ClaveIntegracion`): it acts as its own service user
    (`usuario`, rol admin, no usable password), narrowed to its `permisos` and `sedes`."""

    nombre = models.CharField(_("nombre"), max_length=100)
    permisos = models.JSONField(
        _("permisos"), default=list, blank=True, help_text=_('p. ej. ["citas:read", "eventos:read"]')
    )
    sedes = models.ManyToManyField(Sede, verbose_name=_("sedes"), blank=True, related_name="integraciones")
    activo = models.BooleanField(_("activo"), default=True)
    ultimo_uso = models.DateTimeField(_("último uso"), null=True, blank=True, editable=False)
    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuario de servicio"),
        on_delete=models.PROTECT,
        related_name="integracion",
        editable=False,
    )

    ownership = Ownership()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("integración")
        verbose_name_plural = _("integraciones")
        ordering = ["id"]

    def __str__(self):
        return self.nombre

    def permite(self, recurso, verbo) -> bool:
        """Whether this integration's `permisos` name `<recurso>:<verbo>` (read or write)."""
        return recurso not in RECURSOS_VETADOS and f"{recurso}:{verbo}" in self.permisos


class ClaveManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        # The integration and its service user come with the key (one query per request).
        return super().get_usable_keys().select_related("integracion__usuario")


class ClaveIntegracion(AbstractAPIKey):
    """A key of an integration, stored hashed (djangorestframework-api-key). Rotating revokes the
    old one; only the current key of an active integration authenticates."""

    objects = ClaveManager()

    integracion = models.ForeignKey(
        Integracion, verbose_name=_("integración"), on_delete=models.CASCADE, related_name="claves"
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("clave de integración")
        verbose_name_plural = _("claves de integración")
