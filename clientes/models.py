from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import Ownership, ScopedQuerySet
from core.models import TimeStampedModel
from core.phones import validate_mobile
from core.validators import no_control_characters


class CanalPreferido(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Idioma(models.TextChoices):
    ES = "es", _("Español")
    EN = "en", _("Inglés")


def idioma_por_defecto():
    """The server's LANGUAGE_CODE when it is one of the owners' languages, else Spanish."""
    codigo = settings.LANGUAGE_CODE.split("-")[0]
    return codigo if codigo in Idioma.values else Idioma.ES


class Cliente(TimeStampedModel):
    """A pet owner. May be linked to one user with rol `cliente` (the owner portal login)."""

    nombre = models.CharField(_("nombre"), max_length=100, validators=[no_control_characters])
    apellidos = models.CharField(_("apellidos"), max_length=150, validators=[no_control_characters])
    documento = models.CharField(_("documento"), max_length=30, blank=True, help_text=_("DNI/NIE u otro documento."))
    email = models.EmailField(_("email"), blank=True, validators=[no_control_characters])
    # Phones are stored normalised (core.phones.normalize_phone, applied by the services and
    # the importer): E.164 when they parse in PHONE_REGION, else as typed.
    telefono = models.CharField(_("teléfono"), max_length=30, validators=[no_control_characters])
    movil = models.CharField(
        _("móvil"),
        max_length=30,
        blank=True,
        validators=[no_control_characters, validate_mobile],
        help_text=_("Número de móvil, p. ej. +34600111222."),
    )
    direccion = models.CharField(_("dirección"), max_length=255, blank=True)
    ciudad = models.CharField(_("ciudad"), max_length=100, blank=True)
    notas = models.TextField(_("notas"), blank=True)
    # Consent per channel (reminders and other messages), and the channel the owner prefers.
    acepta_email = models.BooleanField(_("acepta email"), default=True)
    acepta_sms = models.BooleanField(_("acepta SMS"), default=False)
    acepta_whatsapp = models.BooleanField(_("acepta WhatsApp"), default=False)
    canal_preferido = models.CharField(
        _("canal preferido"), max_length=10, choices=CanalPreferido.choices, default=CanalPreferido.EMAIL
    )
    idioma = models.CharField(
        _("idioma"),
        max_length=2,
        choices=Idioma.choices,
        default=idioma_por_defecto,
        help_text=_("Idioma de los recordatorios que recibe."),
    )
    activo = models.BooleanField(_("activo"), default=True)
    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuario"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cliente",
    )

    history = HistoricalRecords()

    # A cliente user sees and changes its own record (accounts.scoping).
    ownership = Ownership(owner="usuario", owner_changes=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cliente")
        verbose_name_plural = _("clientes")
        ordering = ["apellidos", "nombre", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("documento"),
                condition=~models.Q(documento=""),
                name="clientes_cliente_documento_unique",
                violation_error_message=_("Ya existe un cliente con este documento."),
            ),
        ]
        indexes = [
            # The list's order (apellidos, nombre, id), in pages and in cursor walks.
            models.Index(fields=["apellidos", "nombre", "id"], name="clientes_orden_lista_idx"),
            models.Index(Upper("ciudad"), name="clientes_ciudad_idx"),
            models.Index(fields=["activo"], name="clientes_activo_idx"),
            models.Index(fields=["creado_en"], name="clientes_creado_en_idx"),
            models.Index(fields=["telefono"], name="clientes_telefono_idx"),
        ]

    def __str__(self):
        return f"{self.apellidos}, {self.nombre}"

    @property
    def nombre_completo(self):
        return f"{self.nombre} {self.apellidos}".strip()
