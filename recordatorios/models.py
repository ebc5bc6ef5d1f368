from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citas.models import Cita
from historial.models import Vacuna


class TipoRecordatorio(models.TextChoices):
    VACUNA = "vacuna", _("Vacuna")
    CITA = "cita", _("Cita")


class Recordatorio(models.Model):
    """A reminder that was sent: each vaccine dose or cita is reminded at most once."""

    tipo = models.CharField(_("tipo"), max_length=10, choices=TipoRecordatorio.choices)
    vacuna = models.ForeignKey(Vacuna, verbose_name=_("vacuna"), on_delete=models.CASCADE, null=True, blank=True)
    cita = models.ForeignKey(Cita, verbose_name=_("cita"), on_delete=models.CASCADE, null=True, blank=True)
    email = models.EmailField(_("enviado a"))
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
        return f"{self.get_tipo_display()} → {self.email} ({timezone.localtime(self.enviado_en):%d/%m/%Y %H:%M})"
