"""List pagination: page mode (`?page=`, the default) and cursor mode (`?paginacion=cursor`).

`Pagination` is the project's DEFAULT_PAGINATION_CLASS: it picks the mode from `paginacion`
and hands the request to `PageNumberPagination` or `CursorPagination`. Both take `page_size`
(1 to 100, anything else a 400); each mode's own parameters (`page`, `cursor`) are unknown
parameters in the other (api.query_parameters).
"""

import json
from base64 import b64encode
from operator import attrgetter
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .filters import OrderingFilter

# From this many rows on, an unfiltered list reports PostgreSQL's live estimate as `count`
# instead of counting every row on every request (see CheapCountPaginator).
COUNT_ESTIMATE_FROM = 100_000


def _unfiltered(queryset) -> bool:
    query = queryset.query
    return not (query.where or query.distinct or query.combinator or query.is_sliced or query.group_by)


class CheapCountPaginator(Paginator):
    """A Paginator whose count stays cheap on big tables.

    A filtered list (any filter, search or a `cliente` user's scope) is counted exactly. An
    unfiltered list of a PostgreSQL table holding at least COUNT_ESTIMATE_FROM rows reports
    the planner's live row estimate (pg_class statistics scaled to the table's current size,
    what `EXPLAIN` uses) instead of `COUNT(*)`, which would read the whole table on every
    page. Both cases take the one query the count always took.
    """

    estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and _unfiltered(queryset):
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                count, self.estimated = self._estimated_or_exact(connection, queryset.model._meta.db_table)
                return count
        return super().count

    def validate_number(self, number):
        self.count  # noqa: B018 (computing the count tells whether it is an estimate)
        if not self.estimated:
            return super().validate_number(number)
        # An estimate does not bound the pages: the rows themselves say where the list ends.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return _OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    @staticmethod
    def _estimated_or_exact(connection, table):
        quoted = connection.ops.quote_name(table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT CASE WHEN estimate >= %s THEN estimate ELSE (SELECT COUNT(*) FROM {quoted}) END
                FROM (
                    SELECT (CASE WHEN relpages > 0
                                 THEN reltuples / relpages
                                      * (pg_relation_size(oid) / current_setting('block_size')::int)
                                 ELSE reltuples END)::bigint AS estimate
                    FROM pg_class WHERE oid = %s::regclass
                ) AS stats
                """,
                [COUNT_ESTIMATE_FROM, quoted],
            )
            count = cursor.fetchone()[0]
        return count, count >= COUNT_ESTIMATE_FROM


class _OpenEndedPage(Page):
    """A page of an estimated list: whether another follows comes from one row fetched past it,
    so `next` is right even where the estimate is off."""

    def __init__(self, object_list, number, paginator, *, more):
        super().__init__(object_list, number, paginator)
        self._more = more

    def has_next(self):
        return self._more



MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
PAGE_SIZE_PARAM = "page_size"
MODE_PARAM = "paginacion"
PAGE_MODE, CURSOR_MODE = "pagina", "cursor"


def page_size_from(request) -> int:
    """`?page_size=`: a whole number from 1 to MAX_PAGE_SIZE (DEFAULT_PAGE_SIZE when absent),
    anything else a 400 (DRF would fall back to the default, or cut to the maximum, silently)."""
    text = request.query_params.get(PAGE_SIZE_PARAM)
    if text is None:
        return DEFAULT_PAGE_SIZE
    message = _("Debe ser un número entero entre 1 y %(max)d.") % {"max": MAX_PAGE_SIZE}
    try:
        size = int(text.strip())
    except ValueError:
        raise ValidationError({PAGE_SIZE_PARAM: [ErrorDetail(message, code="invalid")]}) from None
    if size < 1:
        raise ValidationError({PAGE_SIZE_PARAM: [ErrorDetail(message, code="min_value")]})
    if size > MAX_PAGE_SIZE:
        raise ValidationError({PAGE_SIZE_PARAM: [ErrorDetail(message, code="max_value")]})
    return size


def _page_size_parameter():
    return {
        "name": PAGE_SIZE_PARAM,
        "required": False,
        "in": "query",
        "description": f"Rows per page (1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} by default).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    }


def _link_schema(example):
    return {"type": "string", "nullable": True, "format": "uri", "example": example}


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`: `{"count", "count_estimado", "next", "previous", "results"}`.

    `count_estimado` is true only when `count` is PostgreSQL's estimate (an unfiltered list of a
    big table, see CheapCountPaginator). A page past the end, and a `page` that is not a
    page number (`0`, `abc`), answer 404 `not_found`, as DRF's pagination does."""

    django_paginator_class = CheapCountPaginator
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size_from(request)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_estimado": self.page.paginator.estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_estimado", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "count_estimado": {
                    "type": "boolean",
                    "description": "true when `count` is the database's estimate (unfiltered lists of very big tables)",
                },
                "next": _link_schema("http://api.example.org/accounts/?page=4"),
                "previous": _link_schema("http://api.example.org/accounts/?page=2"),
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        page = super().get_schema_operation_parameters(view)[0]
        return [{**page, "description": "Page number (page mode)."}, _page_size_parameter()]


class CursorPagination(pagination.CursorPagination):
    """`?paginacion=cursor` (then `?cursor=` from `next`/`previous`): `{"next", "previous",
    "results"}`, keyset pagination that reads one page whatever its depth.

    The order is `id` ascending, or the `ordering` the request names (validated by the view's
    OrderingFilter against its `ordering_fields`) with `id` last to break ties, in the
    direction of the last field named. The cursor carries the boundary row's values of those
    fields, and a page is `WHERE (fields) after (values) ORDER BY fields LIMIT size + 1`:
    no OFFSET, so a page costs what the first one does (given an index in that order), and
    rows inserted or deleted during a walk never shift the rows not yet read. DRF's own
    CursorPagination keys on the first ordering field only and counts ties with an offset,
    which skips or repeats rows when ties are inserted; its cursor encoding is kept.

    Nullable fields sort their NULLs last ascending (first descending) on every database.
    A cursor that was not issued for this ordering answers 404, as DRF's does.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE
    ordering = ("id",)

    def get_page_size(self, request):
        return page_size_from(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.keys = self.get_keys(request, queryset, view)
        self.position, self.reverse = self.decode_position(request, queryset.model)

        order = [(name, not desc if self.reverse else desc, nullable) for name, desc, nullable in self.keys]
        queryset = queryset.order_by(*(_order_expression(*key) for key in order))
        if self.position is not None:
            queryset = queryset.filter(_after(order, self.position))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if self.reverse:
            self.page.reverse()
            self.has_next, self.has_previous = self.position is not None, more
        else:
            self.has_next, self.has_previous = more, self.position is not None
        return self.page

    def get_keys(self, request, queryset, view):
        """[(field name, descending, nullable)]: the requested ordering (or none) plus `id`."""
        names = []
        if request.query_params.get("ordering"):
            names = [name for name in _ordering_filter(view).get_ordering(request, queryset, view) if name]
        names = [n for n in names if n.lstrip("-") not in ("id", "pk")]
        tie = "-id" if names and names[-1].startswith("-") else "id"
        keys = []
        for name in [*names, tie]:
            field = queryset.model._meta.get_field(name.lstrip("-"))
            keys.append((field.name if not field.primary_key else "id", name.startswith("-"), field.null))
        return keys

    def _signature(self):
        return ",".join(("-" if desc else "") + name for name, desc, _null in self.keys)

    def decode_position(self, request, model):
        cursor = self.decode_cursor(request)
        if cursor is None:
            return None, False
        try:
            data = json.loads(cursor.position)
            if data["o"] != self._signature() or len(data["v"]) != len(self.keys):
                raise ValueError
            values = tuple(
                None if value is None else model._meta.get_field(name).to_python(value)
                for (name, _desc, _null), value in zip(self.keys, data["v"], strict=True)
            )
        except (TypeError, ValueError, KeyError, FieldDoesNotExist, DjangoValidationError):
            raise NotFound(self.invalid_cursor_message) from None
        return values, cursor.reverse

    @staticmethod
    def cursor_token(signature: str, values, *, reverse: bool = False) -> str:
        """The opaque `cursor` value of a position: the boundary row's `values` of the fields
        of `signature` (the order with its tie-break, e.g. "id" or "-fecha,-id"), encoded as
        DRF's CursorPagination encodes its own (base64 of a query string)."""
        tokens = {"p": json.dumps({"o": signature, "v": [_json_value(v) for v in values]}, separators=(",", ":"))}
        if reverse:
            tokens["r"] = "1"
        return b64encode(urlencode(tokens).encode("ascii")).decode("ascii")

    def _link(self, values, *, reverse):
        token = self.cursor_token(self._signature(), values, reverse=reverse)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def _row_values(self, row):
        return [attrgetter(name)(row) for name, _desc, _null in self.keys]

    def get_next_link(self):
        if not self.has_next:
            return None
        # From an empty page (its rows deleted meanwhile), the way on starts at the same position.
        return self._link(self._row_values(self.page[-1]) if self.page else self.position, reverse=False)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        return self._link(self._row_values(self.page[0]) if self.page else self.position, reverse=True)

    def get_schema_operation_parameters(self, view):
        cursor = super().get_schema_operation_parameters(view)[0]
        return [{**cursor, "description": "Opaque cursor from `next`/`previous` (cursor mode)."}]


def _ordering_filter(view):
    for backend in getattr(view, "filter_backends", ()):
        if issubclass(backend, OrderingFilter):
            return backend()
    return OrderingFilter()


def _order_expression(name, desc, nullable):
    if not nullable:
        return f"-{name}" if desc else name
    return F(name).desc(nulls_first=True) if desc else F(name).asc(nulls_last=True)


def _after(keys, values) -> Q:
    """Rows strictly after `values` in the order `keys`: (k1 after v1) OR (k1 = v1 AND k2
    after v2) OR …, AND'ed with "k1 at or after v1", which bounds an index scan on k1 so
    that the page costs the same at any depth."""
    condition = _strictly_after(keys[-1], values[-1])
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = _strictly_after(key, value) | (_equal(key, value) & condition)
    return _at_or_after(keys[0], values[0]) & condition


def _equal(key, value) -> Q:
    name = key[0]
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def _strictly_after(key, value) -> Q:
    name, desc, nullable = key
    if desc:  # NULLs first: after a NULL come the values; after a value, the smaller ones
        return Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})
    if value is None:  # NULLs last: nothing after them
        return Q(pk__in=[])
    after = Q(**{f"{name}__gt": value})
    return after | Q(**{f"{name}__isnull": True}) if nullable else after


def _at_or_after(key, value) -> Q:
    name, desc, nullable = key
    if value is None:
        return Q() if desc else Q(**{f"{name}__isnull": True})
    if desc:
        return Q(**{f"{name}__lte": value})
    at = Q(**{f"{name}__gte": value})
    return at | Q(**{f"{name}__isnull": True}) if nullable else at


def _json_value(value):
    if value is None or isinstance(value, (int, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class Pagination(pagination.BasePagination):
    """The lists' pagination: page mode by default, cursor mode with `?paginacion=cursor`
    (a list whose contract is cursor-paginated, the event feed, uses `CursorFirstPagination`)."""

    default_mode = PAGE_MODE
    modes = {PAGE_MODE: PageNumberPagination, CURSOR_MODE: CursorPagination}
    mode_parameters = {PAGE_MODE: {"page"}, CURSOR_MODE: {"cursor"}}

    def __init__(self):
        self.paginator = None

    @classmethod
    def mode_of(cls, request) -> str:
        mode = request.query_params.get(MODE_PARAM)
        if mode is None:
            # Without `paginacion`, a `page` asks for page mode whatever the list's default (the
            # pagination parameters are accepted on every list).
            mode = PAGE_MODE if "page" in request.query_params else cls.default_mode
        if mode not in cls.modes:
            message = _("Valor no válido: use «%(pagina)s» o «%(cursor)s».") % {
                "pagina": PAGE_MODE,
                "cursor": CURSOR_MODE,
            }
            raise ValidationError({MODE_PARAM: [ErrorDetail(message, code="invalid_choice")]})
        return mode

    def query_parameters(self, request) -> set[str]:
        """The parameters this request may carry for pagination (its mode's own, not the other's)."""
        mode = self.mode_of(request)
        return {MODE_PARAM, PAGE_SIZE_PARAM, *self.mode_parameters[mode]}

    def paginate_queryset(self, queryset, request, view=None):
        self.paginator = self.modes[self.mode_of(request)]()
        return self.paginator.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.paginator.get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        page = PageNumberPagination().get_paginated_response_schema(schema)
        default = ", the default" if self.default_mode == PAGE_MODE else ""
        return {
            **page,
            "required": ["next", "previous", "results"],
            "description": f"`count` and `count_estimado` in page mode only (`?paginacion=pagina`{default}).",
        }

    def get_schema_operation_parameters(self, view):
        mode = {
            "name": MODE_PARAM,
            "required": False,
            "in": "query",
            "description": f"`pagina` (`page`, `count`) or `cursor` (`cursor`: the same cost at any depth); "
            f"`{self.default_mode}` by default.",
            "schema": {"type": "string", "enum": list(self.modes), "default": self.default_mode},
        }
        page = PageNumberPagination().get_schema_operation_parameters(view)
        cursor = CursorPagination().get_schema_operation_parameters(view)
        return [mode, *page, *cursor]


class CursorFirstPagination(Pagination):
    """Cursor mode unless `?paginacion=pagina` (or a `page`) asks for pages: the event feed, which
    the contract calls cursor-paginated by `id` (a consumer walks it from the last id it saw,
    and no request counts the whole table)."""

    default_mode = CURSOR_MODE
