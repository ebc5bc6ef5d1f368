"""Constraints only PostgreSQL can enforce, declared on the model all the same."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary
from django.db.models import Func


class PostgresOnlyExclusionConstraint(ExclusionConstraint):
    """An `ExclusionConstraint` that exists only on PostgreSQL.

    On any other database (SQLite has no exclusion constraints) its DDL is empty, so creating,
    remaking or dropping the table there leaves it out; the services' checks are the guard.

    `validate()` never queries: the services check the same rule first and answer with a
    message a person can act on (a 409 naming the vet or the paciente), and the database
    gives the guarantee. Validating here as well would make `full_clean()` run one more
    query per constraint and raise a generic "constraint violated" 400 instead.
    """

    @staticmethod
    def _on_postgres(schema_editor):
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._on_postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._on_postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._on_postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using=None):
        return None


class TsTzRange(Func):
    """`tstzrange(lower, upper, bounds)`: two date-times as a range, `[)` (half-open) unless told."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()

    def __init__(self, lower, upper, bounds=None, **extra):
        super().__init__(lower, upper, bounds or RangeBoundary(), **extra)
