"""Serializer plumbing shared by the apps.

`ModelSerializer` is DRF's, with whole-number ids and dates bounded to the system's range:
the base of every model serializer.

`CompiledModelSerializer` adds a compiled output, and only the list outputs the benchmark
measures use it (pacientes, citas, consultas, vacunas: `make bench` shows the API at 1.7x
the floor with it and at 2.0-2.1x without, README "Rendimiento"). The first `to_representation`
turns the readable fields into a plan of (key, getter, converter) steps, so that each row of
a list is built by plain attribute reads and the few conversions JSON needs, instead of
DRF's per-field `get_attribute()` / `to_representation()` round trip (about 10 ms a page of
100 pacientes). The output is DRF's to the byte; anything the plan does not recognise, and
any row where a fast read fails, goes through DRF's own field code.

Input, validation, the OpenAPI schema and `.data` are DRF's, untouched.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from core.dates import OUT_OF_RANGE_MESSAGE, is_iso_date_text, out_of_range_error, validate_date_in_range


def _out_of_range(exc):
    return serializers.ValidationError(exc.messages, code=exc.code)


def _in_range(value):
    try:
        return validate_date_in_range(value)
    except DjangoValidationError as exc:
        raise _out_of_range(exc) from exc


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """DRF's, refusing ids that are not whole numbers: `2.9` would otherwise be truncated to
    the object 2 by the database lookup, and `true` read as 1."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class DateField(serializers.DateField):
    """DRF's DateField, refusing dates outside the system's range (400 `fecha_fuera_de_rango`)."""

    # listed so that the OpenAPI schema documents the code
    default_error_messages = {"fecha_fuera_de_rango": OUT_OF_RANGE_MESSAGE}

    def to_internal_value(self, value):
        if isinstance(value, str) and not is_iso_date_text(value):  # exactly YYYY-MM-DD
            self.fail("invalid", format="YYYY-MM-DD")
        return _in_range(super().to_internal_value(value))


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, refusing date-times outside the system's range (400 `fecha_fuera_de_rango`),
    those whose offset would carry them past the end of the calendar included."""

    default_error_messages = {"fecha_fuera_de_rango": OUT_OF_RANGE_MESSAGE}

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except serializers.ValidationError as exc:
            if exc.get_codes() == ["overflow"]:
                raise _out_of_range(out_of_range_error()) from exc
            raise
        return _in_range(parsed)


class TimeField(serializers.TimeField):
    """DRF's TimeField, refusing a time with a UTC offset (`10:00+05:00`, `10:00Z`): a time of
    day here (a horario's hours) is in the zone of its sede, and DRF (through Django's
    `parse_time`) would silently drop the offset."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                aware = datetime.time.fromisoformat(value.strip()).tzinfo is not None
            except ValueError:
                aware = False
            if aware:
                self.fail("invalid", format="hh:mm[:ss[.uuuuuu]]")
        return super().to_internal_value(value)


_ISO = drf_fields.ISO_8601
_ABSENT = object()
_STRING_FIELDS = (
    drf_fields.CharField,
    drf_fields.EmailField,
    drf_fields.SlugField,
    drf_fields.URLField,
    drf_fields.RegexField,
)

# (key, getter, converter, field): getter None means "DRF's own field code".
Step = tuple[str, Callable[[Any], Any] | None, Callable[[Any], Any] | None, drf_fields.Field]


def _generic(field, instance, ret) -> None:
    """What DRF's Serializer.to_representation does for one field."""
    try:
        attribute = field.get_attribute(instance)
    except SkipField:
        return
    check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    ret[field.field_name] = None if check_for_none is None else field.to_representation(attribute)


def _plain_getter(model, source_attrs) -> Callable[[Any], Any] | None:
    """attrgetter over `source_attrs` when every step is a concrete field, a forward relation or
    a property of the model it reaches (no methods, reverse relations or managers, which DRF
    would call or which raise on absence); otherwise None."""
    if model is None or not source_attrs:
        return None
    current = model
    for position, name in enumerate(source_attrs):
        if current is None:
            return None
        last = position == len(source_attrs) - 1
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            # A property, or an attribute the class does not have: an annotation of the
            # queryset (`num_pacientes`). Methods and other descriptors are DRF's to call.
            found = inspect.getattr_static(current, name, _ABSENT)
            if last and (found is _ABSENT or isinstance(found, property)):
                return attrgetter(".".join(source_attrs))
            return None
        if field.is_relation and not (field.many_to_one or (field.one_to_one and field.concrete)):
            return None
        # `propietario_id` (the column) ends the walk; `propietario` (the object) goes on.
        current = field.related_model if field.is_relation and name == field.name else None
        if not last and current is None:
            return None
    return attrgetter(".".join(source_attrs))


def _datetime_converter(field) -> Callable[[Any], Any] | None:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or output_format.lower() != _ISO or hasattr(field, "timezone"):
        return None
    zone = field.default_timezone()
    if zone is None:
        return None
    to_representation = field.to_representation

    def convert(value):
        if type(value) is not datetime.datetime or value.tzinfo is None:
            return to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _date_converter(field) -> Callable[[Any], Any] | None:
    output_format = getattr(field, "format", api_settings.DATE_FORMAT)
    if output_format is None or output_format.lower() != _ISO:
        return None
    to_representation = field.to_representation

    def convert(value):
        return value.isoformat() if type(value) is datetime.date else to_representation(value)

    return convert


def _boolean_converter(field) -> Callable[[Any], Any]:
    to_representation = field.to_representation

    def convert(value):
        # A BooleanField column reads as a bool, which DRF answers as itself.
        return value if type(value) is bool else to_representation(value)

    return convert


def _reads_a_plain_pk(field) -> bool:
    """A PrimaryKeyRelatedField (or a subclass that only narrows its queryset) over one FK."""
    kind = type(field)
    return (
        isinstance(field, relations.PrimaryKeyRelatedField)
        and kind.to_representation is relations.PrimaryKeyRelatedField.to_representation
        and kind.get_attribute is relations.RelatedField.get_attribute
        and kind.use_pk_only_optimization is relations.PrimaryKeyRelatedField.use_pk_only_optimization
        and field.pk_field is None
        and len(field.source_attrs) == 1
    )


def _step(field, model) -> Step:
    """The fast read of one field, or DRF's (getter None) where there is none."""
    kind = type(field)
    key = field.field_name
    generic: Step = (key, None, None, field)
    if field.source == "*":
        return generic

    if _reads_a_plain_pk(field):
        try:
            relation = model._meta.get_field(field.source_attrs[0]) if model is not None else None
        except FieldDoesNotExist:
            relation = None
        if isinstance(relation, models.ForeignKey) and relation.target_field.primary_key:
            return (key, attrgetter(relation.attname), None, field)
        return generic

    getter = _plain_getter(model, field.source_attrs)
    if getter is None:
        return generic
    if kind in _STRING_FIELDS:
        return (key, getter, str, field)
    if kind is drf_fields.IntegerField:
        return (key, getter, int, field)
    if kind is drf_fields.BigIntegerField:
        as_string = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        return (key, getter, str if as_string else int, field)
    if kind is drf_fields.ChoiceField and all(isinstance(choice, str) for choice in field.choices):
        return (key, getter, str, field)
    if kind in (drf_fields.DateTimeField, DateTimeField):
        converter = _datetime_converter(field)
        return (key, getter, converter, field) if converter else generic
    if kind in (drf_fields.DateField, DateField):
        converter = _date_converter(field)
        return (key, getter, converter, field) if converter else generic
    if kind is drf_fields.BooleanField:
        return (key, getter, _boolean_converter(field), field)
    if kind in (drf_fields.DecimalField, drf_fields.FloatField):
        return (key, getter, field.to_representation, field)
    if kind is drf_fields.ReadOnlyField:
        return (key, getter, None, field)
    return generic


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer; ids must be whole numbers, dates within the system's range (core.dates),
    times of day without an offset."""

    serializer_related_field = PrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
        models.TimeField: TimeField,
    }


class CompiledModelSerializer(ModelSerializer):
    """ModelSerializer with the compiled output described in the module docstring: for the list
    outputs the benchmark measures, and only while it shows they need it. The oracle in
    tests/test_serializers.py checks every subclass against DRF's output, byte for byte."""

    _read_plan: list[Step] | None = None

    def read_plan(self) -> list[Step]:
        """Compiled once per serializer instance: the child of a list serves every row of the
        page, and the current time zone and fields of this request are the ones it reads."""
        if self._read_plan is None:
            model = getattr(getattr(self, "Meta", None), "model", None)
            self._read_plan = [_step(field, model) for field in self._readable_fields]
        return self._read_plan

    def to_representation(self, instance):
        ret = {}
        for key, getter, converter, field in self.read_plan():
            if getter is None:
                _generic(field, instance, ret)
                continue
            try:
                value = getter(instance)
            except (AttributeError, ObjectDoesNotExist):
                _generic(field, instance, ret)
                continue
            if value is None:
                ret[key] = None
            else:
                ret[key] = value if converter is None else converter(value)
        return ret
