"""Writing an import's new records, with their audit rows.

On PostgreSQL the rows go in through `COPY ... FROM STDIN`: the primary keys are taken from
the table's sequence first (one query), then the records and their django-simple-history
"created" rows are streamed, one COPY each. An `INSERT` of a batch makes Django build and
adapt one parameter per cell (about half of an import's time); COPY sends the values as
they are. Every value still goes through the field's `pre_save()` and `get_db_prep_save()`
as `bulk_create()` would (skipped only where Django's own field types make them the
identity), so the stored rows are the same; the audit row reuses the record's values.

Elsewhere (SQLite) the records are written with simple-history's `bulk_create_with_history`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from operator import attrgetter

from django.db import connections, models, router
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

# The columns simple-history adds to a historical table next to the tracked fields.
HISTORY_COLUMNS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


def insert_with_history(
    instances: Sequence[models.Model], model: type[models.Model], *, actor=None, change_reason: str = ""
) -> None:
    """Inserts `instances` (new, unsaved) and a "+" history row for each; sets their pks."""
    if not instances:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    history = model.history.model
    if connection.vendor != "postgresql" or not _copyable(model, history):
        bulk_create_with_history(
            list(instances), model, batch_size=len(instances), default_user=actor, default_change_reason=change_reason
        )
        return

    fields = model._meta.concrete_fields
    pk = model._meta.pk
    by_attname = {f.attname: f for f in history._meta.concrete_fields}
    tracked = [f.attname for f in history.tracked_fields]
    audit = {
        "history_date": timezone.now(),
        "history_change_reason": change_reason,
        "history_type": "+",
        "history_user_id": actor.pk if actor is not None else None,
    }
    audit_values = [by_attname[name].get_db_prep_save(value, connection) for name, value in audit.items()]
    quote = connection.ops.quote_name
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(instances)],
        )
        for instance, (pk_value,) in zip(instances, cursor.fetchall(), strict=True):
            setattr(instance, pk.attname, pk_value)
        readers = [_reader(field, connection) for field in fields]
        rows = [[read(instance) for read in readers] for instance in instances]
        with cursor.copy(_copy_sql(quote, model._meta.db_table, [f.column for f in fields])) as copy:
            for row in rows:
                copy.write_row(row)
        # The audit row holds the record's values as just written (auto_now_add included).
        position = {field.attname: n for n, field in enumerate(fields)}
        picks = [position[name] for name in tracked]
        columns = [by_attname[name].column for name in (*tracked, *audit)]
        with cursor.copy(_copy_sql(quote, history._meta.db_table, columns)) as copy:
            for row in rows:
                copy.write_row([*(row[n] for n in picks), *audit_values])
    for instance in instances:
        instance._state.adding = False
        instance._state.db = alias


def _copy_sql(quote, table: str, columns: list[str]) -> str:
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


# Django's own field classes whose get_db_prep_save() hands a value of this exact type (or
# None) to PostgreSQL unchanged: such a value skips the call (a third of an import's time).
_PASSED_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.SlugField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.DecimalField: Decimal,
    models.DateField: datetime.date,
    models.DateTimeField: datetime.datetime,
    models.ForeignKey: int,  # to an integer primary key (any other key type is prepared)
}


def _reader(field, connection):
    """instance -> the column's value as PostgreSQL takes it: what bulk_create() would send."""
    # pre_save() only where it does something (auto_now, auto_now_add, custom fields):
    # everywhere else it is getattr().
    plain = type(field).pre_save is models.Field.pre_save or (
        isinstance(field, models.DateField) and not (field.auto_now or field.auto_now_add)
    )
    read = attrgetter(field.attname) if plain else (lambda instance: field.pre_save(instance, True))
    expected = _PASSED_AS_IS.get(type(field))

    def column(instance):
        value = read(instance)
        if value is None and expected is not None:
            return None
        if type(value) is expected and (expected is not datetime.datetime or value.tzinfo is not None):
            return value
        return field.get_db_prep_save(value, connection)

    return column


def _copyable(model, history) -> bool:
    """The history table holds exactly the tracked fields and simple-history's own columns
    (no custom or relation columns this module would not know how to fill)."""
    tracked = {f.attname for f in history.tracked_fields}
    own = {f.attname for f in model._meta.concrete_fields}
    return tracked <= own and {f.attname for f in history._meta.concrete_fields} - tracked == HISTORY_COLUMNS
