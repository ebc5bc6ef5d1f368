from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citas.models import Cita
from clientes.models import CanalPreferido, Cliente, Idioma
from core.models import TimeStampedModel
from historial.models import Vacuna
from sedes.models import Sede

from .plantillas import EJEMPLO, render, segmentos, validate_plantilla


class TipoRecordatorio(models.TextChoices):
    VACUNA = "vacuna", _("Vacuna")
    CITA = "cita", _("Cita")


class Recordatorio(models.Model):
    """The mark of a reminder whose first message went out (on any channel, for any offset):
    `enviado_en` of the recordatorios API. The messages themselves are Mensaje rows."""

    tipo = models.CharField(_("tipo"), max_length=10, choices=TipoRecordatorio.choices)
    vacuna = models.ForeignKey(Vacuna, verbose_name=_("vacuna"), on_delete=models.CASCADE, null=True, blank=True)
    cita = models.ForeignKey(Cita, verbose_name=_("cita"), on_delete=models.CASCADE, null=True, blank=True)
    destinatario = models.CharField(_("enviado a"), max_length=254, help_text=_("Email o móvil."))
    enviado_en = models.DateTimeField(_("enviado en"), default=timezone.now)

    class Meta:
        # The table it had while the model lived in `citas` (see migration 0001).
        db_table = "citas_recordatorio"
        verbose_name = _("recordatorio enviado")
        verbose_name_plural = _("recordatorios enviados")
        ordering = ["-enviado_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["vacuna"], condition=models.Q(vacuna__isnull=False), name="recordatorio_vacuna_unico"
            ),
            models.UniqueConstraint(
                fields=["cita"], condition=models.Q(cita__isnull=False), name="recordatorio_cita_unico"
            ),
            models.CheckConstraint(
                condition=models.Q(tipo="vacuna", vacuna__isnull=False, cita__isnull=True)
                | models.Q(tipo="cita", cita__isnull=False, vacuna__isnull=True),
                name="recordatorio_un_objeto",
            ),
        ]

    def __str__(self):
        return f"{self.get_tipo_display()} → {self.destinatario} ({timezone.localtime(self.enviado_en):%d/%m/%Y %H:%M})"


class EstadoMensaje(models.TextChoices):
    PENDIENTE = "pendiente", _("Pendiente")
    ENVIADO = "enviado", _("Enviado")
    ENTREGADO = "entregado", _("Entregado")
    FALLIDO = "fallido", _("Fallido")


class EstadoInformado(models.TextChoices):
    """What a provider's status callback may report."""

    ENTREGADO = EstadoMensaje.ENTREGADO.value, EstadoMensaje.ENTREGADO.label
    FALLIDO = EstadoMensaje.FALLIDO.value, EstadoMensaje.FALLIDO.label


# The longest `cuerpo` a plantilla may have on each channel (its text before rendering): an SMS
# of more than 1600 characters is refused by gateways (Twilio's limit: about ten parts), a
# WhatsApp text by WhatsApp (4096); an email's is one line of the owner's email.
CUERPO_MAXIMO = {CanalPreferido.EMAIL: 2000, CanalPreferido.SMS: 1600, CanalPreferido.WHATSAPP: 4096}
ASUNTO_SOLO_EMAIL = "asunto_solo_email"


class Plantilla(TimeStampedModel):
    """The text of a reminder for one tipo × canal × idioma, at one sede or (sede null) at all of
    them. For email, `cuerpo` is the reminder's line in the owner's email and `asunto` its
    subject; for SMS and WhatsApp, `cuerpo` is the whole message. Without an active row the
    built-in default of recordatorios.plantillas applies."""

    tipo = models.CharField(_("tipo"), max_length=10, choices=TipoRecordatorio.choices)
    canal = models.CharField(_("canal"), max_length=10, choices=CanalPreferido.choices)
    idioma = models.CharField(_("idioma"), max_length=2, choices=Idioma.choices)
    sede = models.ForeignKey(
        Sede,
        verbose_name=_("sede"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plantillas",
        help_text=_("Vacía: la plantilla de todas las sedes que no tengan una propia."),
    )
    asunto = models.CharField(
        _("asunto"), max_length=200, blank=True, validators=[validate_plantilla], help_text=_("Solo para email.")
    )
    cuerpo = models.TextField(
        _("cuerpo"),
        validators=[validate_plantilla],
        help_text=_("Variables: {cliente}, {paciente}, {vacuna}, {fecha}, {hora}, {sede}, {telefono_sede}."),
    )
    activo = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("plantilla")
        verbose_name_plural = _("plantillas")
        ordering = ["tipo", "canal", "idioma", "sede", "id"]
        constraints = [
            # One active template per tipo × canal × idioma at a sede, and one for every sede.
            models.UniqueConstraint(
                fields=["tipo", "canal", "idioma", "sede"],
                condition=models.Q(activo=True, sede__isnull=False),
                name="plantilla_activa_por_sede_unica",
                violation_error_code="unique",
                violation_error_message=_("Ya hay una plantilla activa de este tipo, canal e idioma en esta sede."),
            ),
            models.UniqueConstraint(
                fields=["tipo", "canal", "idioma"],
                condition=models.Q(activo=True, sede__isnull=True),
                name="plantilla_activa_general_unica",
                violation_error_code="unique",
                violation_error_message=_("Ya hay una plantilla activa de este tipo, canal e idioma general."),
            ),
        ]

    def clean(self):
        super().clean()
        errores = {}
        maximo = CUERPO_MAXIMO.get(self.canal)
        if maximo is not None and len(self.cuerpo or "") > maximo:
            errores["cuerpo"] = ValidationError(
                _("El cuerpo de una plantilla de %(canal)s no puede superar %(maximo)d caracteres (tiene %(largo)d)."),
                code="max_length",
                params={"canal": self.get_canal_display(), "maximo": maximo, "largo": len(self.cuerpo)},
            )
        if self.asunto and self.canal != CanalPreferido.EMAIL:
            errores["asunto"] = ValidationError(
                _("El asunto solo se usa en las plantillas de email; déjelo vacío."), code=ASUNTO_SOLO_EMAIL
            )
        if errores:
            raise ValidationError(errores)

    @property
    def segmentos(self) -> int:
        """SMS parts of the body rendered with example values (plantillas.EJEMPLO)."""
        return segmentos(render(self.cuerpo, EJEMPLO)).partes

    def __str__(self):
        donde = self.sede.nombre if self.sede_id else _("todas las sedes")
        return f"{self.get_tipo_display()} · {self.get_canal_display()} · {self.idioma} · {donde}"


class Mensaje(models.Model):
    """One message of a reminder on one channel for one offset (days before a dose, hours
    before a cita): the log of what was sent, to whom and how it went. Several workers may
    sweep at once; the unique constraints make sure each (reminder, canal, offset) is sent once."""

    canal = models.CharField(_("canal"), max_length=10, choices=CanalPreferido.choices)
    destinatario = models.CharField(_("destinatario"), max_length=254)
    cliente = models.ForeignKey(Cliente, verbose_name=_("cliente"), on_delete=models.CASCADE, related_name="mensajes")
    recordatorio_tipo = models.CharField(_("tipo de recordatorio"), max_length=10, choices=TipoRecordatorio.choices)
    vacuna = models.ForeignKey(
        Vacuna, verbose_name=_("vacuna"), on_delete=models.CASCADE, null=True, blank=True, related_name="mensajes"
    )
    cita = models.ForeignKey(
        Cita, verbose_name=_("cita"), on_delete=models.CASCADE, null=True, blank=True, related_name="mensajes"
    )
    sede = models.ForeignKey(
        Sede, verbose_name=_("sede"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offset = models.PositiveIntegerField(
        _("antelación"), help_text=_("Días antes de la dosis (vacunas) u horas antes de la cita (citas).")
    )
    asunto = models.CharField(_("asunto"), max_length=255, blank=True)
    cuerpo = models.TextField(_("cuerpo"))
    estado = models.CharField(
        _("estado"), max_length=10, choices=EstadoMensaje.choices, default=EstadoMensaje.PENDIENTE
    )
    proveedor_id = models.CharField(_("id del proveedor"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    intentos = models.PositiveSmallIntegerField(_("intentos"), default=0)
    proximo_intento = models.DateTimeField(
        _("próximo intento"), null=True, blank=True, help_text=_("Cuándo se envía (o reintenta) un mensaje pendiente.")
    )
    creado_en = models.DateTimeField(_("creado en"), default=timezone.now)
    enviado_en = models.DateTimeField(_("enviado en"), null=True, blank=True)
    actualizado_en = models.DateTimeField(_("actualizado en"), auto_now=True)

    class Meta:
        verbose_name = _("mensaje")
        verbose_name_plural = _("mensajes")
        ordering = ["-creado_en", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vacuna", "canal", "offset"],
                condition=models.Q(vacuna__isnull=False),
                name="mensaje_vacuna_canal_offset_unico",
            ),
            models.UniqueConstraint(
                fields=["cita", "canal", "offset"],
                condition=models.Q(cita__isnull=False),
                name="mensaje_cita_canal_offset_unico",
            ),
            models.CheckConstraint(
                condition=models.Q(recordatorio_tipo="vacuna", vacuna__isnull=False, cita__isnull=True)
                | models.Q(recordatorio_tipo="cita", cita__isnull=False, vacuna__isnull=True),
                name="mensaje_un_objeto",
            ),
        ]
        indexes = [
            # The sweep's claim of what is due: pending messages by the time of their next try.
            models.Index(
                fields=["proximo_intento"],
                condition=models.Q(estado="pendiente"),
                name="mensaje_pendiente_idx",
            ),
            models.Index(fields=["canal", "proveedor_id"], name="mensaje_proveedor_idx"),
            models.Index(fields=["creado_en", "id"], name="mensaje_creado_idx"),
        ]

    def __str__(self):
        return f"{self.get_canal_display()} → {self.destinatario} ({self.get_estado_display()})"
