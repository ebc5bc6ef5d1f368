import zoneinfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.scoping import CHANGE, VIEW, Ownership, ScopedQuerySet, sedes_de_trabajo, sedes_visibles
from core.models import TimeStampedModel
from core.validators import no_control_characters

# The code that prefixes a sede's invoice codes (MAD-F-2026-000123).
CODIGO_SEDE = r"^[A-Z0-9]{2,10}$"
# The sede the first migration that adds sedes creates; everything older belongs to it.
CODIGO_PRINCIPAL = "PRAL"
# The IANA names the server knows. `localtime` (a link some systems add to their zone directory,
# to whatever zone the machine is in) and `Factory` (tzdata's placeholder for "not set") name no
# place, so they are no sede's zone.
ZONAS_HORARIAS = frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


def validate_zona_horaria(value):
    """An IANA time-zone name the server knows (`Europe/Madrid`, `Atlantic/Canary`)."""
    if value not in ZONAS_HORARIAS:
        raise ValidationError(
            _("«%(value)s» no es una zona horaria IANA conocida (p. ej. Europe/Madrid)."),
            code="zona_horaria_invalida",
            params={"value": value},
        )


class SedeQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=VIEW):
        """The sedes `user` may see (accounts.scoping.sedes_visibles: an integration key only its
        own), or, for `CHANGE`, those it may act at (sedes_de_trabajo)."""
        if action == CHANGE:
            return sedes_de_trabajo(user, self)
        return sedes_visibles(user, self)


class Sede(TimeStampedModel):
    """A clinic of the organisation, with its own time zone: the local times of its citas,
    horarios and reminders are read in `zona_horaria`.

    Staff work at sedes (`personal`, seen from a user as `user.sedes`); the scoping API
    (accounts.scoping) hides the citas and horarios of other sedes from them."""

    nombre = models.CharField(_("nombre"), max_length=120, validators=[no_control_characters])
    codigo = models.CharField(
        _("código"),
        max_length=10,
        validators=[
            RegexValidator(
                CODIGO_SEDE,
                _("Entre 2 y 10 letras mayúsculas o dígitos (p. ej. MAD)."),
                code="codigo_invalido",
            )
        ],
        help_text=_("Prefijo de los códigos de factura de la sede (2 a 10 mayúsculas o dígitos)."),
    )
    direccion = models.CharField(_("dirección"), max_length=255, blank=True, validators=[no_control_characters])
    # Stored normalised, like a cliente's (core.phones.normalize_phone, applied by the services).
    telefono = models.CharField(_("teléfono"), max_length=30, blank=True, validators=[no_control_characters])
    email = models.EmailField(_("email"), blank=True)
    zona_horaria = models.CharField(
        _("zona horaria"),
        max_length=64,
        validators=[validate_zona_horaria],
        help_text=_("Nombre IANA, p. ej. Europe/Madrid o Atlantic/Canary."),
    )
    reserva_online = models.BooleanField(
        _("reserva en línea"), default=True, help_text=_("Los propietarios pueden reservar citas en esta sede.")
    )
    activo = models.BooleanField(_("activa"), default=True)
    personal = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("personal"), related_name="sedes", blank=True
    )

    # Every role reads sedes; an owner only those that are active and take online bookings.
    ownership = Ownership(public=models.Q(activo=True, reserva_online=True))
    objects = SedeQuerySet.as_manager()

    class Meta:
        verbose_name = _("sede")
        verbose_name_plural = _("sedes")
        ordering = ["nombre", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("nombre"),
                name="sedes_sede_nombre_ci_unique",
                violation_error_code="unique",
                violation_error_message=_("Ya existe una sede con este nombre."),
            ),
            models.UniqueConstraint(fields=["codigo"], name="sedes_sede_codigo_unique"),
            models.CheckConstraint(condition=models.Q(codigo__regex=CODIGO_SEDE), name="sedes_sede_codigo_valido"),
        ]

    def __str__(self):
        return self.nombre

    def validate_constraints(self, exclude=None):
        """The duplicate-nombre error is `nombre`'s: Django gives the error of a constraint on an
        expression (Lower("nombre")) to no field; `codigo`'s is already its field's."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            generales = errors.pop(NON_FIELD_ERRORS, [])
            duplicados = [error for error in generales if error.code == "unique"]
            if duplicados:
                errors.setdefault("nombre", []).extend(duplicados)
            if generales := [error for error in generales if error.code != "unique"]:
                errors[NON_FIELD_ERRORS] = generales
            raise ValidationError(errors) from exc

    @property
    def zona(self):
        return zoneinfo.ZoneInfo(self.zona_horaria)
