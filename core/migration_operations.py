"""Migration helpers for guarantees only PostgreSQL can give.

SQLite (the zero-setup development database) skips these operations; there
the service layer's checks are the only guard, and the tests that prove the
database-level guarantee run on PostgreSQL.
"""

from django.db import migrations


def postgres_only_sql(sql, reverse_sql):
    """A RunPython that executes `sql` on PostgreSQL and does nothing elsewhere."""

    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(list(sql)), run(list(reverse_sql)))


def trigram_index_sql(table, column):
    """Forward and reverse SQL of a GIN trigram index matching Django's `icontains` on PostgreSQL."""
    name = f"{table}_{column}_trgm"[:63]
    return (
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
        f'DROP INDEX IF EXISTS "{name}"',
    )
