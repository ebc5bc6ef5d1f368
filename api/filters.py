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
from rest_framework.exceptions import ErrorDetail

from core.dates import OUT_OF_RANGE_MESSAGE, is_iso_date_text, out_of_range_error, validate_date_in_range
from core.limits import SEARCH_MAX_LENGTH, SEARCH_MAX_TERMS
from core.validators import FALSE_VALUES, TRUE_VALUES

from .serializers import DateTimeField


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
        if isinstance(value, str) and value.strip() and not is_iso_date_text(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
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


# The largest id a database holds (a bigint); a larger one is a 400, not the database's overflow.
MAX_ID = 2**63 - 1


class StrictIntegerField(forms.IntegerField):
    """An integer written as digits (an optional minus): `1.5`, `1.0`, `1e3` are a 400 `invalid`,
    and a value past a bigint too, not something the database fails on."""

    def __init__(self, *, max_value=MAX_ID, min_value=-MAX_ID, **kwargs):
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.lstrip("-").isascii() or not text.lstrip("-").isdigit() or text.count("-") > 1:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(text.lstrip("-").lstrip("0")) > len(str(MAX_ID)):
            # Past any bigint, and maybe past the digits int() converts (4,300): a number just
            # past the bound stands for it, and the bound's validator answers its 400.
            return -MAX_ID - 1 if text.startswith("-") else MAX_ID + 1
        return int(text)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A filter on an integer (an id, a count): only an integer passes (StrictIntegerField)."""

    field_class = StrictIntegerField


class FilterSet(django_filters.FilterSet):
    """Base FilterSet: booleans only true/false, dates only ISO 8601, integers (ids) only
    integers; anything else is a 400."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        **{
            field: {"filter_class": IntegerFilter}
            for field in (
                models.AutoField,
                models.BigAutoField,
                models.SmallAutoField,
                models.IntegerField,
                models.BigIntegerField,
                models.SmallIntegerField,
                models.PositiveIntegerField,
                models.PositiveBigIntegerField,
                models.PositiveSmallIntegerField,
            )
        },
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

    def get_schema_operation_parameters(self, view):
        # A list without search_fields has no `?search=` (api.query_parameters refuses it).
        if not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)

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


class OrderingFilter(drf_filters.OrderingFilter):
    """DRF's `?ordering=field,-field`, strict: defined only on views that declare
    `ordering_fields`, and a field not among them is a 400 `invalid_ordering` (DRF drops it
    silently and orders by the default)."""

    def get_valid_fields(self, queryset, view, context=None):
        if not getattr(view, "ordering_fields", None):
            return []
        return super().get_valid_fields(queryset, view, context or {})

    def remove_invalid_fields(self, queryset, fields, view, request):
        terms = [term for term in fields if term]
        valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
        invalid = [term for term in terms if term.removeprefix("-") not in valid]
        if invalid:
            message = _("Campo de ordenación no válido: %(campos)s. Admitidos: %(validos)s.") % {
                "campos": ", ".join(invalid),
                "validos": ", ".join(sorted(valid)),
            }
            raise exceptions.ValidationError({self.ordering_param: [ErrorDetail(message, code="invalid_ordering")]})
        return terms

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not fields:
            return []
        [parameter] = super().get_schema_operation_parameters(view)
        names = ", ".join(f"`{name}`" for name in fields)
        description = f"Comma-separated fields, `-` for descending: {names}."
        return [{**parameter, "description": description}]


def list_model(view):
    """The model a list's rows are (its serializer's), without running its queryset."""
    meta = getattr(view.get_serializer_class(), "Meta", None)
    return getattr(meta, "model", None)


class UpdatedSinceFilter(drf_filters.BaseFilterBackend):
    """`?actualizado_desde=<ISO date-time>`: the rows with `actualizado_en` at or after it, on
    every list whose rows have `actualizado_en` (for incremental synchronisation). A bad or
    out-of-range value is a 400 (`invalid`, `fecha_fuera_de_rango`)."""

    param = "actualizado_desde"
    field = "actualizado_en"

    def applies_to(self, model) -> bool:
        return model is not None and any(f.name == self.field for f in model._meta.concrete_fields)

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(self.param)
        if text is None or not self.applies_to(queryset.model):
            return queryset
        try:
            value = DateTimeField().run_validation(text)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({self.param: exc.detail}) from exc
        return queryset.filter(**{f"{self.field}__gte": value})

    def get_schema_operation_parameters(self, view):
        if not self.applies_to(list_model(view)):
            return []
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Only the rows whose `actualizado_en` is this or later "
                "(ISO 8601 date-time with offset).",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]
