from django.core.paginator import Paginator
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

    @cached_property
    def count(self):
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and _unfiltered(queryset):
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                return self._estimated_or_exact(connection, queryset.model._meta.db_table)
        return super().count

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
            return cursor.fetchone()[0]


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`: 20 by default, never more than 100."""

    django_paginator_class = CheapCountPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
