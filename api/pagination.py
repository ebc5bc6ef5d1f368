from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import pagination

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


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`: 20 by default, never more than 100."""

    django_paginator_class = CheapCountPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
