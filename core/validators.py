"""Field validators shared by models, so the API, the admin and the imports apply the same rule."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("La fecha no puede estar en el futuro."), code="future_date")


def positive(value):
    if value is not None and value <= 0:
        raise ValidationError(_("Debe ser mayor que 0."), code="not_positive")
