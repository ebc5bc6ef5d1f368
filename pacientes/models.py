from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import Ownership, ScopedQuerySet
from clientes.models import Cliente
from core.dates import validate_date_in_range
from core.models import TimeStampedModel
from core.validators import no_control_characters, not_in_future, positive

microchip_validator = RegexValidator(
    r"^\d{15}$", _("El microchip debe tener exactamente 15 dígitos."), code="microchip_invalido"
)


class Especie(models.TextChoices):
    PERRO = "perro", _("Perro")
    GATO = "gato", _("Gato")
    AVE = "ave", _("Ave")
    CONEJO = "conejo", _("Conejo")
    ROEDOR = "roedor", _("Roedor")
    REPTIL = "reptil", _("Reptil")
    HURON = "huron", _("Hurón")
    OTRO = "otro", _("Otro")


class Sexo(models.TextChoices):
    MACHO = "macho", _("Macho")
    HEMBRA = "hembra", _("Hembra")
    DESCONOCIDO = "desconocido", _("Desconocido")


class Paciente(TimeStampedModel):
    """An animal under the clinic's care, owned by a Cliente."""

    nombre = models.CharField(_("nombre"), max_length=100, validators=[no_control_characters])
    especie = models.CharField(_("especie"), max_length=20, choices=Especie.choices)
    raza = models.CharField(_("raza"), max_length=100, blank=True)
    sexo = models.CharField(_("sexo"), max_length=20, choices=Sexo.choices, default=Sexo.DESCONOCIDO)
    fecha_nacimiento = models.DateField(
        _("fecha de nacimiento"), null=True, blank=True, validators=[not_in_future, validate_date_in_range]
    )
    color = models.CharField(_("color"), max_length=60, blank=True)
    microchip = models.CharField(
        _("microchip"), max_length=15, blank=True, validators=[microchip_validator], help_text=_("15 dígitos.")
    )
    esterilizado = models.BooleanField(_("esterilizado"), default=False)
    peso_kg = models.DecimalField(
        _("peso (kg)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[positive],
        help_text=_("Último peso conocido."),
    )
    alergias = models.TextField(_("alergias"), blank=True)
    notas = models.TextField(_("notas"), blank=True)
    fallecido = models.BooleanField(_("fallecido"), default=False)
    fecha_fallecimiento = models.DateField(
        _("fecha de fallecimiento"), null=True, blank=True, validators=[not_in_future, validate_date_in_range]
    )
    propietario = models.ForeignKey(
        Cliente, verbose_name=_("propietario"), on_delete=models.PROTECT, related_name="pacientes"
    )
    activo = models.BooleanField(_("activo"), default=True)

    history = HistoricalRecords()

    ownership = Ownership(owner="propietario__usuario")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("paciente")
        verbose_name_plural = _("pacientes")
        ordering = ["nombre", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["microchip"],
                condition=~models.Q(microchip=""),
                name="pacientes_paciente_microchip_unique",
                violation_error_message=_("Ya existe un paciente con este microchip."),
            ),
            models.CheckConstraint(
                condition=models.Q(microchip="") | models.Q(microchip__regex=r"^[0-9]{15}$"),
                name="pacientes_paciente_microchip_15_digitos",
                violation_error_message=_("El microchip debe tener exactamente 15 dígitos."),
            ),
            models.CheckConstraint(
                condition=models.Q(fallecido=True, fecha_fallecimiento__isnull=False)
                | models.Q(fallecido=False, fecha_fallecimiento__isnull=True),
                name="pacientes_paciente_fallecimiento_coherente",
                violation_error_message=_("La fecha de fallecimiento se indica si y solo si el paciente ha fallecido."),
            ),
            models.CheckConstraint(
                condition=models.Q(peso_kg__isnull=True) | models.Q(peso_kg__gt=0),
                name="pacientes_paciente_peso_positivo",
                violation_error_message=_("El peso debe ser mayor que 0."),
            ),
        ]
        indexes = [
            # The list's order (nombre, id): a page is read straight off the index, no sort.
            models.Index(fields=["nombre", "id"], name="pacientes_nombre_id_idx"),
            models.Index(Lower("nombre"), "especie", "propietario", name="pacientes_clave_import_idx"),
            # ?especie= alone or with fallecido/activo, counted from the index alone.
            models.Index(fields=["especie", "fallecido", "activo"], name="pacientes_especie_estado_idx"),
            models.Index(fields=["sexo"], name="pacientes_sexo_idx"),
            models.Index(fields=["fallecido", "activo"], name="pacientes_estado_idx"),
            models.Index(fields=["creado_en"], name="pacientes_creado_en_idx"),
            models.Index(fields=["fecha_nacimiento"], name="pacientes_fecha_nac_idx"),
        ]

    def __str__(self):
        return f"{self.nombre} ({self.get_especie_display()})"

    def clean(self):
        super().clean()
        if self.fallecido and not self.fecha_fallecimiento:
            raise ValidationError(
                {"fecha_fallecimiento": ValidationError(_("Indique la fecha de fallecimiento."), code="required")}
            )
        if not self.fallecido and self.fecha_fallecimiento:
            raise ValidationError(
                {
                    "fecha_fallecimiento": ValidationError(
                        _("Solo un paciente fallecido tiene fecha de fallecimiento."), code="paciente_no_fallecido"
                    )
                }
            )
        if self.fecha_fallecimiento and self.fecha_nacimiento and self.fecha_fallecimiento < self.fecha_nacimiento:
            raise ValidationError(
                {
                    "fecha_fallecimiento": ValidationError(
                        _("La fecha de fallecimiento no puede ser anterior al nacimiento."),
                        code="fallecimiento_antes_de_nacimiento",
                    )
                }
            )

    def edad_en(self, dia: date):
        """Age in whole years on `dia`, or None without a birth date."""
        if not self.fecha_nacimiento:
            return None
        nacimiento = self.fecha_nacimiento
        return dia.year - nacimiento.year - ((dia.month, dia.day) < (nacimiento.month, nacimiento.day))
