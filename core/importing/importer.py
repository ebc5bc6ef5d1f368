"""The upsert engine shared by every `importar_*` command.

A subclass of `ModelImporter` declares its columns and how a row finds the
record it updates; this module does the rest, the same way for every model:

* rows are read in batches of `batch_size`; only the current batch is in memory;
* per batch, a constant number of queries: the subclass's `prepare()` (e.g. the
  owners) and `existing()` (the records the batch may update), then the inserts
  (COPY on PostgreSQL, see writer.py) and bulk updates, each with its
  django-simple-history rows, so imports are audited;
* on PostgreSQL the tables the lookups read are ANALYZEd as the import fills them
  (statistics.py), so that the batch queries keep using their indexes;
* every row is validated with the model's own `full_clean()` (the rules of the
  API and the admin), without the checks that would query per row;
* a blank cell never erases a stored value; a row equal to what is stored is
  "sin cambios" and is not written;
* a key repeated in the file applies on top of the earlier row (last one wins),
  within a batch and across batches alike;
* the whole run is one transaction: rolled back for `dry_run` and, unless
  `partial`, as soon as any row was rejected (all-or-nothing). The summary counts what
  was written, so such a run counts only its rejected rows; a dry run counts what the
  same run without `dry_run` would write;
* runs of one importer take turns (locking.py): a second run waits for the first to
  commit and then finds its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from .. import events
from .locking import serialize
from .parsers import fold, parse_text
from .source import CsvSource, Record, UnusableFile, normalize_name
from .statistics import GrowingTable, analyze
from .writer import insert_with_history

ROW = "fila"  # the `campo` of errors about the whole row
ERROR_COLUMN = "error"


@dataclass(frozen=True)
class Column:
    """A column of the file.

    `required`: the header must have it. `blank=False`: every row must fill it
    (a key column). Other blank cells leave the field as it is.
    """

    name: str
    parse: Callable[[str], Any] = parse_text
    required: bool = False
    blank: bool = True


@dataclass
class Row:
    line: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def reject(self, campo: str, message: str) -> None:
        self.errors.append((campo, str(message)))


@dataclass
class Summary:
    """What an import wrote (a dry run: what it would write)."""

    creados: int = 0
    actualizados: int = 0
    sin_cambios: int = 0
    con_errores: int = 0
    # Valid rows not written because others were rejected (all-or-nothing); not in str().
    descartadas: int = 0

    def __str__(self):
        return (
            f"{self.creados} creados, {self.actualizados} actualizados, "
            f"{self.sin_cambios} sin cambios, {self.con_errores} con errores"
        )


class Ambiguous(Exception):
    """A row's key matches several stored records."""


class ModelImporter:
    """Base class: subclasses set `model`, `columns` and the key methods."""

    model: ClassVar[type[models.Model]]
    columns: ClassVar[Sequence[Column]]
    # Model fields `full_clean()` must skip because the importer resolved them
    # itself, in bulk (a ForeignKey would otherwise be checked with one query per row).
    clean_exclude: ClassVar[Sequence[str]] = ()
    # Keys compare case-insensitively: a stored "12345678Z" is not rewritten as "12345678z".
    key_fields: ClassVar[Sequence[str]] = ()
    # Other models whose tables prepare()/existing() read (their statistics are refreshed
    # when the import starts, see statistics.py).
    reads: ClassVar[Sequence[type[models.Model]]] = ()
    # The events (core.events) published for each created and each changed row, e.g.
    # ("cliente.creado", "cliente.actualizado"); None publishes nothing.
    eventos: ClassVar[tuple[str, str] | None] = None

    def __init__(
        self,
        *,
        actor=None,
        change_reason: str = "",
        batch_size: int = 1000,
        dry_run: bool = False,
        partial: bool = False,
        on_rejected: Callable[[Row], None] | None = None,
        on_batch: Callable[[], None] | None = None,
        on_wait: Callable[[], None] | None = None,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.actor = actor
        self.change_reason = change_reason
        self.batch_size = batch_size
        self.dry_run = dry_run
        self.partial = partial
        self.on_rejected = on_rejected or (lambda row: None)
        self.on_batch = on_batch or (lambda: None)
        self.on_wait = on_wait  # called when another run of this importer has to finish first
        self.summary = Summary()

    # -- what a subclass provides -------------------------------------------------

    def prepare(self, rows: list[Row]) -> None:
        """Per-batch hook run on the parsed, error-free rows before lookup: resolve
        references in bulk, turning file values into model values (may reject rows)."""

    def existing(self, rows: list[Row]) -> Iterable[models.Model]:
        """The stored records the batch's rows may update: ONE query."""
        raise NotImplementedError

    def lookup_keys(self, row: Row) -> list[Hashable]:
        """Keys identifying the row's record, best first. Empty: the row cannot be
        identified (the subclass rejects it)."""
        raise NotImplementedError

    def instance_keys(self, instance: models.Model) -> list[Hashable]:
        """Every key under which `instance` can be found (the counterpart of lookup_keys)."""
        raise NotImplementedError

    def check_update(self, row: Row, instance: models.Model, diff: dict[str, Any]) -> None:
        """Per-row hook before a stored record is changed by `diff` (may reject the row).
        For rules that depend on other tables: what it needs comes annotated by `existing()`."""

    def model_values(self, row: Row) -> dict[str, Any]:
        """Model attribute → value to write, from the row's parsed values."""
        names = _attnames(self.model)
        return {k: v for k, v in row.values.items() if k in names}

    # -- the engine ---------------------------------------------------------------

    @classmethod
    def check_header(cls, header: Sequence[str]) -> list[str | None]:
        """Maps each header cell to a known column name (None: ignored); UnusableFile
        when a required column is missing or a column appears twice."""
        known = {c.name for c in cls.columns}
        names = [normalize_name(cell) for cell in header]
        seen = set()
        for name in names:
            if name in seen and name in known:
                raise UnusableFile(_("línea 1: la columna %(column)s aparece dos veces") % {"column": name})
            seen.add(name)
        missing = [c.name for c in cls.columns if c.required and c.name not in seen]
        if missing:
            raise UnusableFile(
                _("línea 1: faltan columnas obligatorias: %(columns)s") % {"columns": ", ".join(missing)}
            )
        return [name if name in known else None for name in names]

    @classmethod
    def unknown_columns(cls, header: Sequence[str]) -> list[str]:
        known = {c.name for c in cls.columns} | {ERROR_COLUMN}
        return [cell for cell in header if cell.strip() and normalize_name(cell) not in known]

    @classmethod
    def lock_name(cls) -> str:
        """What runs that must take turns share (see locking.py): the importer's name."""
        return f"{cls.__module__}.{cls.__qualname__}"

    def run(self, source: CsvSource) -> Summary:
        """Imports every record of `source` (already opened); returns what was written
        (for a dry run, what would be)."""
        names = self.check_header(source.header)
        by_name = {c.name: c for c in self.columns}
        own_table = GrowingTable(self.model, step=self.batch_size)
        kept = failed = False
        try:
            with transaction.atomic():
                # First: the lookups below must see what a run that was going on wrote.
                serialize(self.lock_name(), self.model, on_wait=self.on_wait)
                analyze(self.model, *self.reads)
                for batch in _batched(source, self.batch_size):
                    rows = [self._parse(record, names, by_name) for record in batch]
                    created = self.summary.creados
                    self._process(rows)
                    own_table.wrote(self.summary.creados - created)
                    self.on_batch()
                failed = bool(self.summary.con_errores and not self.partial)
                kept = not (self.dry_run or failed)
                if not kept:
                    transaction.set_rollback(True)
        finally:
            if not kept:
                own_table.rolled_back()
        if failed:
            # All-or-nothing: the valid rows were not written either (nor would be).
            done = self.summary
            self.summary = Summary(
                con_errores=done.con_errores, descartadas=done.creados + done.actualizados + done.sin_cambios
            )
        return self.summary

    def _parse(self, record: Record, names: list[str | None], by_name: dict[str, Column]) -> Row:
        row = Row(line=record.line, cells=record.cells)
        extra = [c for c in record.cells[len(names) :] if c.strip()]
        if extra:
            row.reject(
                ROW,
                _("tiene %(cells)d columnas y la cabecera %(header)d (sobra: %(extra)s)")
                % {"cells": len(record.cells), "header": len(names), "extra": " | ".join(extra)},
            )
            return row
        for name, cell in zip(names, record.cells, strict=False):
            if name is None:
                continue
            text = cell.strip()
            if not text:
                continue
            try:
                row.values[name] = by_name[name].parse(text)
            except ValidationError as exc:
                for message in exc.messages:
                    row.reject(name, message)
        for column in self.columns:
            if not column.blank and column.name not in row.values and not any(c == column.name for c, _m in row.errors):
                row.reject(column.name, _("Este campo es obligatorio."))
        return row

    def _process(self, rows: list[Row]) -> None:
        self.prepare([r for r in rows if not r.errors])
        candidates = [r for r in rows if not r.errors]
        index: dict[Hashable, list[models.Model]] = {}
        found = self.existing(candidates) if candidates else ()
        if isinstance(found, models.QuerySet):
            found = found.order_by()  # a model's default ordering would only add a sort
        for instance in found:
            self._register(index, instance, ())
        new: list[models.Model] = []
        pending_new: set[int] = set()
        changed: dict[int, models.Model] = {}
        changed_fields: set[str] = set()

        for row in rows:
            if not row.errors:
                self._apply(row, index, new, pending_new, changed, changed_fields)
            if row.errors:
                self.summary.con_errores += 1
                self.on_rejected(row)

        self._write(new, list(changed.values()), changed_fields)

    def _apply(self, row, index, new, pending_new, changed, changed_fields) -> None:
        try:
            instance = self._find(row, index)
        except Ambiguous as exc:
            row.reject(exc.args[0], exc.args[1])
            return
        values = self.model_values(row)
        if instance is None:
            instance = self.model(**values)
            if self._validate(row, instance):
                new.append(instance)
                pending_new.add(id(instance))
                self._register(index, instance, ())
                self.summary.creados += 1
            return
        diff = {name: value for name, value in values.items() if not self._same(name, getattr(instance, name), value)}
        if not diff:
            self.summary.sin_cambios += 1
            return
        self.check_update(row, instance, diff)
        if row.errors:
            return
        old_keys = self.instance_keys(instance)
        previous = {name: getattr(instance, name) for name in diff}
        for name, value in diff.items():
            setattr(instance, name, value)
        if not self._validate(row, instance):
            for name, value in previous.items():
                setattr(instance, name, value)
            return
        self._register(index, instance, old_keys)
        self.summary.actualizados += 1
        if id(instance) not in pending_new:
            changed[id(instance)] = instance
            changed_fields.update(diff)

    def _same(self, name: str, stored, value) -> bool:
        if name in self.key_fields and isinstance(stored, str) and isinstance(value, str):
            return fold(stored) == fold(value)
        return stored == value

    def _find(self, row: Row, index) -> models.Model | None:
        for key in self.lookup_keys(row):
            matches = index.get(key, [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise Ambiguous(*self.ambiguous_error(row, key))
        return None

    def ambiguous_error(self, row: Row, key) -> tuple[str, str]:
        return ROW, _("la fila coincide con varios registros existentes")

    def _register(self, index, instance, old_keys) -> None:
        keys = self.instance_keys(instance)
        for key in old_keys:
            if key not in keys and key in index:
                index[key] = [i for i in index[key] if i is not instance]
        for key in keys:
            bucket = index.setdefault(key, [])
            if not any(i is instance for i in bucket):
                bucket.append(instance)

    def _validate(self, row: Row, instance: models.Model) -> bool:
        try:
            instance.full_clean(exclude=self.clean_exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    row.reject(ROW if name == NON_FIELD_ERRORS else name, message)
            return False
        return True

    def _write(self, new: list[models.Model], changed: list[models.Model], fields: set[str]) -> None:
        history = {"default_user": self.actor, "default_change_reason": self.change_reason}
        try:
            insert_with_history(new, self.model, actor=self.actor, change_reason=self.change_reason)
            if changed:
                update_fields = sorted(fields)
                if any(f.name == "actualizado_en" for f in self.model._meta.concrete_fields):
                    # bulk_update does not run auto_now.
                    now = timezone.now()
                    for instance in changed:
                        instance.actualizado_en = now
                    update_fields.append("actualizado_en")
                bulk_update_with_history(changed, self.model, update_fields, batch_size=self.batch_size, **history)
            self._publish(new, changed)
        except IntegrityError as exc:
            # Only a concurrent writer gets here: the keys were checked in this batch.
            raise UnusableFile(
                _("conflicto con datos guardados mientras se importaba: %(error)s") % {"error": exc}
            ) from exc


    def _publish(self, new, changed) -> None:
        """One event per created or changed row, in the import's transaction (a few queries
        per batch, not per row)."""
        if self.eventos is None:
            return
        creado, actualizado = self.eventos
        for tipo, instances in ((creado, new), (actualizado, changed)):
            if instances:
                events.publish_many(tipo, instances=instances)


@cache
def _attnames(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch
