"""Strict query parameters: a list answers 400 `unknown_parameter` (the parameter's name as the
error's key) for any query parameter it does not define, instead of ignoring it.

What a list defines is read from what it is made of, never listed by hand: its filter
backends (the FilterSet's filters, `search` where it has `search_fields`, `ordering` where it
has `ordering_fields`, `actualizado_desde` where its rows have `actualizado_en`: each
backend's `get_schema_operation_parameters`, which also feeds the OpenAPI schema), its
pagination (the current mode's parameters), its `query_serializer_class` if any, and
`format`, always accepted.
"""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings


def serializer_parameters(serializer_class) -> set[str]:
    """The query parameters a query serializer (a plain Serializer of the query) reads."""
    return set(serializer_class().fields)


def backend_parameters(backend, view) -> set[str]:
    if isinstance(backend, DjangoFilterBackend):
        filterset_class = backend.get_filterset_class(view)
        return set(filterset_class.base_filters) if filterset_class else set()
    return {parameter["name"] for parameter in backend.get_schema_operation_parameters(view)}


def pagination_parameters(paginator, request, view) -> set[str]:
    if paginator is None:
        return set()
    if hasattr(paginator, "query_parameters"):
        return paginator.query_parameters(request)
    return {parameter["name"] for parameter in paginator.get_schema_operation_parameters(view)}


def list_parameters(view, request) -> set[str]:
    """Every query parameter `view`'s list defines for `request`."""
    names = set()
    for backend_class in view.filter_backends:
        names |= backend_parameters(backend_class(), view)
    names |= pagination_parameters(view.paginator, request, view)
    query_serializer = getattr(view, "query_serializer_class", None)
    if query_serializer is not None:
        names |= serializer_parameters(query_serializer)
    return names


def reject_unknown_parameters(request, defined) -> None:
    """400 `unknown_parameter` for every parameter of `request` outside `defined` (and `format`)."""
    allowed = {*defined, api_settings.URL_FORMAT_OVERRIDE}
    unknown = sorted(name for name in request.query_params if name not in allowed)
    if unknown:
        message = _("Parámetro no admitido: «%(nombre)s».")
        raise ValidationError(
            {name: [ErrorDetail(message % {"nombre": name}, code="unknown_parameter")] for name in unknown}
        )
