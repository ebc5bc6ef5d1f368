"""Filter pieces shared by every app: an invalid filter value is a 400, never silently ignored."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

TRUE_VALUES = frozenset({"true", "1", "si", "sí", "yes"})
FALSE_VALUES = frozenset({"false", "0", "no"})


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError(_("Valor no válido: use true o false."), code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class IsoDateFilter(django_filters.DateFilter):
    """A date as `YYYY-MM-DD` only (the contract's format), whatever the active language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time, normalised to UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class FilterSet(django_filters.FilterSet):
    """Base FilterSet: booleans only true/false, dates only ISO 8601; anything else is a 400."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.DateField: {"filter_class": IsoDateFilter},
        models.DateTimeField: {"filter_class": IsoDateTimeFilter},
    }
