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
from rest_framework import exceptions
from rest_framework import filters as drf_filters

from core.dates import OUT_OF_RANGE_MESSAGE, out_of_range_error, validate_date_in_range
from core.limits import SEARCH_MAX_LENGTH, SEARCH_MAX_TERMS
from core.validators import FALSE_VALUES, TRUE_VALUES


class StrictBooleanField(forms.Field):
    default_error_messages = {"invalid": _("Valor no válido: use true o false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class IsoDateField(forms.DateField):
    """A date as `YYYY-MM-DD` only (the contract's format), whatever the active language,
    within the system's range (so that a local day's end is always a date)."""

    # listed so that the OpenAPI schema documents the code (core.dates.out_of_range_error)
    default_error_messages = {"fecha_fuera_de_rango": OUT_OF_RANGE_MESSAGE}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return validate_date_in_range(super().to_python(value))


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateField


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time within the system's range, normalised to UTC (PostgreSQL refuses
    offsets beyond ±15:59)."""

    default_error_messages = {"fecha_fuera_de_rango": OUT_OF_RANGE_MESSAGE}

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return validate_date_in_range(parsed.astimezone(datetime.UTC))
        except OverflowError as exc:
            raise out_of_range_error() from exc


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


class SearchFilter(drf_filters.SearchFilter):
    """DRF's `?search=`, bounded: every term is one more substring match per search field
    (an OR of LIKEs, joined across relations), and the planner's work grows with their number.
    A few hundred terms held PostgreSQL for minutes; nobody types more than a handful."""

    max_length = SEARCH_MAX_LENGTH
    max_terms = SEARCH_MAX_TERMS
    # What the OpenAPI schema lists for `?search=` (api.schema), on views with search_fields.
    validation_error_codes = {"search": {"max_length", "max_terms"}}

    @staticmethod
    def applies_to(view):
        return bool(getattr(view, "search_fields", None))

    def get_search_terms(self, request):
        text = request.query_params.get(self.search_param, "")
        if len(text) > self.max_length:
            raise exceptions.ValidationError(
                {self.search_param: [_("La búsqueda no puede superar %(n)d caracteres.") % {"n": self.max_length}]},
                code="max_length",
            )
        terms = super().get_search_terms(request)
        if len(terms) > self.max_terms:
            raise exceptions.ValidationError(
                {self.search_param: [_("La búsqueda no puede tener más de %(n)d términos.") % {"n": self.max_terms}]},
                code="max_terms",
            )
        return terms
