"""The clinical record: consultas and vacunas of a paciente.

The tables keep the names they had while these models lived in `pacientes` (see migration 0001).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Rol
from accounts.scoping import Ownership, ScopedQuerySet
from citas.models import Cita
from core.dates import validate_date_in_range
from core.models import TimeStampedModel
from core.validators import FECHA_FUTURA, not_in_future, positive
from pacientes.models import Paciente
from sedes.models import Sede

# Tolerated difference between a client's clock and the server's for "not in the future" date-times.
CLOCK_SKEW = timedelta(minutes=5)


class Consulta(TimeStampedModel):
    """A clinical visit: what the vet saw and did. Its weight becomes the paciente's latest."""

    paciente = models.ForeignKey(
        Paciente, verbose_name=_("paciente"), on_delete=models.PROTECT, related_name="consultas"
    )
    veterinario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veterinario"),
        on_delete=models.PROTECT,
        related_name="consultas",
    )
    cita = models.ForeignKey(
        Cita,
        verbose_name=_("cita"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultas",
    )
    # Where it took place: its local date (the `desde`/`hasta` filters) is read in the sede's
    # zone. The record itself belongs to the organisation: every staff member sees it.
    sede = models.ForeignKey(Sede, verbose_name=_("sede"), on_delete=models.PROTECT, related_name="consultas")
    fecha = models.DateTimeField(_("fecha"), default=timezone.now, validators=[validate_date_in_range])
    motivo = models.CharField(_("motivo"), max_length=255)
    anamnesis = models.TextField(_("anamnesis"), blank=True)
    examen_fisico = models.TextField(_("examen físico"), blank=True)
    diagnostico = models.TextField(_("diagnóstico"), blank=True)
    tratamiento = models.TextField(_("tratamiento"), blank=True)
    peso_kg = models.DecimalField(
        _("peso (kg)"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[positive]
    )
    temperatura_c = models.DecimalField(
        _("temperatura (°C)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("45"))],
    )
    notas = models.TextField(_("notas"), blank=True)

    history = HistoricalRecords(table_name="pacientes_historicalconsulta")

    # Owners read their animals' record; among staff, only the vet who wrote a consulta (or an
    # admin) changes it.
    ownership = Ownership(
        owner="paciente__propietario__usuario",
        sede_de_clave="sede",  # staff read the whole record; a key only its sedes' consultas
        author="veterinario",
        authors_only={Rol.VETERINARIO, Rol.RECEPCIONISTA},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "pacientes_consulta"
        verbose_name = _("consulta")
        verbose_name_plural = _("consultas")
        ordering = ["-fecha", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temperatura_c__isnull=True) | models.Q(temperatura_c__range=(30, 45)),
                name="pacientes_consulta_temperatura_rango",
                violation_error_message=_("La temperatura debe estar entre 30 y 45 °C."),
            ),
            models.CheckConstraint(
                condition=models.Q(peso_kg__isnull=True) | models.Q(peso_kg__gt=0),
                name="pacientes_consulta_peso_positivo",
                violation_error_message=_("El peso debe ser mayor que 0."),
            ),
        ]
        indexes = [
            models.Index(fields=["paciente", "-fecha"], name="consultas_paciente_fecha_idx"),
            models.Index(fields=["veterinario", "-fecha"], name="consultas_vet_fecha_idx"),
            # The list's order (-fecha, -id), in pages and in cursor walks: read off the index.
            models.Index(fields=["-fecha", "-id"], name="consultas_fecha_idx"),
        ]

    def __str__(self):
        return f"{self.paciente.nombre} · {timezone.localtime(self.fecha):%d/%m/%Y %H:%M} · {self.motivo}"

    def clean(self):
        super().clean()
        if self.cita_id and self.paciente_id and self.cita.paciente_id != self.paciente_id:
            raise ValidationError(
                {"cita": ValidationError(_("La cita no pertenece a este paciente."), code="cita_de_otro_paciente")}
            )
        if self.fecha and self.fecha > timezone.now() + CLOCK_SKEW:
            raise ValidationError(
                {"fecha": ValidationError(_("La fecha de la consulta no puede estar en el futuro."), code=FECHA_FUTURA)}
            )


class Vacuna(TimeStampedModel):
    """A vaccine applied to a paciente; `proxima_dosis` drives the reminders."""

    paciente = models.ForeignKey(Paciente, verbose_name=_("paciente"), on_delete=models.PROTECT, related_name="vacunas")
    nombre = models.CharField(_("vacuna"), max_length=120)
    lote = models.CharField(_("lote"), max_length=60, blank=True)
    fecha_aplicacion = models.DateField(_("fecha de aplicación"), validators=[not_in_future, validate_date_in_range])
    proxima_dosis = models.DateField(_("próxima dosis"), null=True, blank=True, validators=[validate_date_in_range])
    veterinario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrada por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vacunas",
    )
    notas = models.TextField(_("notas"), blank=True)

    history = HistoricalRecords(table_name="pacientes_historicalvacuna")

    ownership = Ownership(owner="paciente__propietario__usuario")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "pacientes_vacuna"
        verbose_name = _("vacuna")
        verbose_name_plural = _("vacunas")
        ordering = ["-fecha_aplicacion", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proxima_dosis__isnull=True)
                | models.Q(proxima_dosis__gte=models.F("fecha_aplicacion")),
                name="pacientes_vacuna_proxima_tras_aplicacion",
                violation_error_message=_("La próxima dosis no puede ser anterior a la aplicación."),
            ),
        ]
        indexes = [
            # Superseded doses: later application of the same vaccine (by name, case-insensitive).
            models.Index("paciente", Lower("nombre"), "fecha_aplicacion", name="vacunas_paciente_nombre_idx"),
            models.Index(fields=["proxima_dosis"], name="vacunas_proxima_dosis_idx"),
            # The list's order (-fecha_aplicacion, -id), in pages and in cursor walks.
            models.Index(fields=["-fecha_aplicacion", "-id"], name="vacunas_fecha_id_idx"),
        ]

    def __str__(self):
        return f"{self.nombre} · {self.paciente.nombre} · {self.fecha_aplicacion:%d/%m/%Y}"

    def clean(self):
        super().clean()
        if self.proxima_dosis and self.fecha_aplicacion and self.proxima_dosis < self.fecha_aplicacion:
            raise ValidationError(
                {
                    "proxima_dosis": ValidationError(
                        _("La próxima dosis no puede ser anterior a la aplicación."), code="proxima_dosis_anterior"
                    )
                }
            )
