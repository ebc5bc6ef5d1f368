"""Migration helpers for guarantees only PostgreSQL can give.

SQLite (the zero-setup development database) skips these operations; there
the service layer's checks are the only guard, and the tests that prove the
database-level guarantee run on PostgreSQL.
"""

from django.db import migrations
from django.db.migrations.operations.base import Operation


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


class RemoveModelState(Operation):
    """State only: takes the model `app_label.name` out of the migration state, touching no table.

    For a model that moved to a higher app: the new app's migration removes it from the old
    app's state before creating it (same table) in its own. The old app cannot do it in a
    migration of its own without depending on the apps above it that still refer to the model.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(self, app_label, name):
        self.model_app_label = app_label
        self.name = name

    def state_forwards(self, app_label, state):
        state.remove_model(self.model_app_label, self.name.lower())

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def references_model(self, name, app_label):
        return app_label == self.model_app_label and name.lower() == self.name.lower()

    def describe(self):
        return f"Remove {self.model_app_label}.{self.name} from the migration state (its table stays)"

    @property
    def migration_name_fragment(self):
        return f"remove_{self.model_app_label}_{self.name.lower()}_state"
