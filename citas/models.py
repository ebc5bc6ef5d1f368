from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Rol
from accounts.scoping import Ownership, ScopedQuerySet
from core.constraints import PostgresOnlyExclusionConstraint, TsTzRange
from core.dates import validate_date_in_range
from core.models import TimeStampedModel
from pacientes.models import Paciente
from sedes.models import Sede


class EstadoCita(models.TextChoices):
    PROGRAMADA = "programada", _("Programada")
    CONFIRMADA = "confirmada", _("Confirmada")
    EN_CURSO = "en_curso", _("En curso")
    COMPLETADA = "completada", _("Completada")
    CANCELADA = "cancelada", _("Cancelada")
    NO_ASISTIO = "no_asistio", _("No asistió")


# Citas in these states hold their time: no other active cita of the same vet or paciente may overlap.
ESTADOS_ACTIVOS = (EstadoCita.PROGRAMADA, EstadoCita.CONFIRMADA, EstadoCita.EN_CURSO)
# States in which a cita may still be moved (date, duration, vet).
ESTADOS_REPROGRAMABLES = (EstadoCita.PROGRAMADA, EstadoCita.CONFIRMADA)

# A cita's length in minutes: the default when only `inicio` is given, and the bounds the
# services enforce and the serializers advertise.
DURACION_POR_DEFECTO = 30
DURACION_MINIMA = 5
DURACION_MAXIMA = 480


def sin_solape(field):
    """No two active citas with the same `field` (the vet, the paciente) overlap in time: their
    half-open ranges [inicio, fin) must not intersect, so back-to-back citas are fine."""
    return PostgresOnlyExclusionConstraint(
        name=f"citas_cita_sin_solape_{field}",
        expressions=[(field, RangeOperators.EQUAL), (TsTzRange("inicio", "fin"), RangeOperators.OVERLAPS)],
        condition=models.Q(estado__in=ESTADOS_ACTIVOS),
    )


class DiaSemana(models.IntegerChoices):
    LUNES = 0, _("Lunes")
    MARTES = 1, _("Martes")
    MIERCOLES = 2, _("Miércoles")
    JUEVES = 3, _("Jueves")
    VIERNES = 4, _("Viernes")
    SABADO = 5, _("Sábado")
    DOMINGO = 6, _("Domingo")


class Cita(TimeStampedModel):
    """An appointment of a paciente with a vet, over the half-open interval [inicio, fin).

    No double booking: on PostgreSQL two exclusion constraints (`sin_solape`, created by
    migration 0002) forbid overlapping active citas per vet and per paciente; the services
    check first, for a readable 409, and lock the vet so that bookings and bloqueos cannot race.
    """

    sede = models.ForeignKey(Sede, verbose_name=_("sede"), on_delete=models.PROTECT, related_name="citas")
    paciente = models.ForeignKey(Paciente, verbose_name=_("paciente"), on_delete=models.PROTECT, related_name="citas")
    veterinario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veterinario"),
        on_delete=models.PROTECT,
        related_name="citas",
        limit_choices_to={"rol": "veterinario"},
    )
    inicio = models.DateTimeField(_("inicio"), validators=[validate_date_in_range])
    fin = models.DateTimeField(_("fin"), validators=[validate_date_in_range])
    motivo = models.CharField(_("motivo"), max_length=255)
    estado = models.CharField(_("estado"), max_length=20, choices=EstadoCita.choices, default=EstadoCita.PROGRAMADA)
    notas = models.TextField(_("notas"), blank=True)
    motivo_cancelacion = models.TextField(_("motivo de cancelación"), blank=True)
    creado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creada por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citas_creadas",
    )

    history = HistoricalRecords()

    # An owner cancels their own citas; other staff than an admin see those of their sedes.
    ownership = Ownership(owner="paciente__propietario__usuario", owner_changes=True, sede="sede")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cita")
        verbose_name_plural = _("citas")
        ordering = ["inicio", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fin__gt=models.F("inicio")),
                name="citas_cita_fin_tras_inicio",
                violation_error_message=_("El fin debe ser posterior al inicio."),
            ),
            sin_solape("veterinario"),
            sin_solape("paciente"),
        ]
        indexes = [
            models.Index(fields=["veterinario", "inicio"], name="citas_vet_inicio_idx"),
            models.Index(fields=["paciente", "inicio"], name="citas_paciente_inicio_idx"),
            # ?fecha=/desde/hasta in the list's order (inicio, id).
            models.Index(fields=["inicio", "id"], name="citas_inicio_id_idx"),
            models.Index(fields=["estado", "inicio"], name="citas_estado_inicio_idx"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.inicio):%d/%m/%Y %H:%M} · {self.paciente.nombre}"

    @property
    def duracion_minutos(self):
        return int((self.fin - self.inicio).total_seconds() // 60)


class HorarioAtencion(models.Model):
    """A period of a weekday in which a vet sees patients at a sede (several per day for split
    shifts, or two sedes on one day), in the sede's local time."""

    veterinario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veterinario"),
        on_delete=models.CASCADE,
        related_name="horarios",
        limit_choices_to={"rol": "veterinario"},
    )
    sede = models.ForeignKey(Sede, verbose_name=_("sede"), on_delete=models.PROTECT, related_name="horarios")
    dia_semana = models.PositiveSmallIntegerField(_("día de la semana"), choices=DiaSemana.choices)
    hora_inicio = models.TimeField(_("hora de inicio"))
    hora_fin = models.TimeField(_("hora de fin"))

    ownership = Ownership(sede="sede")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("horario de atención")
        verbose_name_plural = _("horarios de atención")
        ordering = ["veterinario", "dia_semana", "hora_inicio"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hora_fin__gt=models.F("hora_inicio")),
                name="citas_horario_fin_tras_inicio",
                violation_error_message=_("La hora de fin debe ser posterior a la de inicio."),
            ),
            models.CheckConstraint(
                condition=models.Q(dia_semana__gte=0, dia_semana__lte=6),
                name="citas_horario_dia_valido",
            ),
        ]
        indexes = [models.Index(fields=["veterinario", "dia_semana"], name="citas_horario_vet_dia_idx")]

    def __str__(self):
        return f"{self.get_dia_semana_display()} {self.hora_inicio:%H:%M}-{self.hora_fin:%H:%M}"

    def clean(self):
        super().clean()
        if self.hora_inicio and self.hora_fin and self.hora_fin <= self.hora_inicio:
            raise ValidationError(
                {
                    "hora_fin": ValidationError(
                        _("La hora de fin debe ser posterior a la de inicio."), code="fin_antes_de_inicio"
                    )
                }
            )


class Bloqueo(TimeStampedModel):
    """Time a vet cannot be booked (holidays, surgery, training)."""

    veterinario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veterinario"),
        on_delete=models.PROTECT,
        related_name="bloqueos",
        limit_choices_to={"rol": "veterinario"},
    )
    inicio = models.DateTimeField(_("inicio"), validators=[validate_date_in_range])
    fin = models.DateTimeField(_("fin"), validators=[validate_date_in_range])
    motivo = models.CharField(_("motivo"), max_length=255)
    creado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creado por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bloqueos_creados",
    )

    history = HistoricalRecords()

    # Owners see none; a vet changes only their own bloqueos (recepción and admin any).
    ownership = Ownership(author="veterinario", authors_only={Rol.VETERINARIO})
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bloqueo")
        verbose_name_plural = _("bloqueos")
        ordering = ["inicio", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fin__gt=models.F("inicio")),
                name="citas_bloqueo_fin_tras_inicio",
                violation_error_message=_("El fin debe ser posterior al inicio."),
            ),
        ]
        indexes = [models.Index(fields=["veterinario", "inicio", "fin"], name="citas_bloqueo_vet_idx")]

    def __str__(self):
        return f"{self.veterinario} · {timezone.localtime(self.inicio):%d/%m/%Y %H:%M} · {self.motivo}"
