"""Planner statistics for an import's lookups on PostgreSQL.

Every batch looks its keys up with `IN (…1000 values…)` queries. Without statistics
(a table just loaded, or filled by this very import inside its one transaction, which no
autovacuum can see) PostgreSQL cannot tell that a list of a thousand keys picks a thousand
rows, and scans the table instead of its index: at 150,000 pacientes, 40% of the import's
time went into such scans. PostgreSQL's advice after loading a table is to ANALYZE it; an
import does so as it goes: the tables it reads when it starts, and its own table whenever it
has doubled since the last time (a handful of times in all, ~0.1 s each). ANALYZE inside
the import's transaction counts the rows the import has written so far.

Where ANALYZE is not allowed (a database user who does not own the tables), the import goes
on without it.
"""

from __future__ import annotations

from django.db import DatabaseError, connections, models, router, transaction


def analyze(*tables: type[models.Model]) -> bool:
    """ANALYZE the tables of these models; False where it could not (not PostgreSQL, no right)."""
    alias = router.db_for_write(tables[0])
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {names}")
    except DatabaseError:
        return False
    return True


class GrowingTable:
    """ANALYZEs `model`'s table each time the rows written to it since the last ANALYZE reach
    the rows it held then (and at least `step`)."""

    def __init__(self, model: type[models.Model], *, step: int):
        self.model = model
        self.step = step
        self.written = 0
        self.analyzed_at = 0
        self.enabled = True

    def wrote(self, rows: int) -> None:
        self.written += rows
        if self.enabled and self.written - self.analyzed_at >= max(self.step, self.analyzed_at):
            self.enabled = analyze(self.model)
            self.analyzed_at = self.written

    def rolled_back(self) -> None:
        """After the import's transaction was rolled back (a dry run, a rejected file, an
        error): PostgreSQL keeps what ANALYZE wrote to pg_class through a rollback, so the
        statistics would go on counting the rows that are gone (and an unfiltered list would
        report them, see api.pagination). ANALYZE again, now without them."""
        if self.analyzed_at:
            analyze(self.model)
