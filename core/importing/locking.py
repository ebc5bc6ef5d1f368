"""One import of a kind at a time.

An import looks each batch's keys up, then inserts what it did not find. Two runs of one
importer at once would both look up before either committed, and both insert: duplicates
where no unique index guards the key (a paciente without microchip, a vaccine dose), and
where one does (a documento, a microchip), a conflict that aborts the later run. So each run
takes, first thing in its transaction, a PostgreSQL advisory lock of its kind, held until
the transaction ends: a second run waits for the first to commit, then finds its rows.

Before this lock, the ANALYZE an import runs when it starts (statistics.py) queued runs by
accident: it locks the table against another ANALYZE until the transaction ends. A database
user who does not own the tables skips ANALYZE, and that lock with it.

On SQLite, transactions begin IMMEDIATE (settings): the write lock already lets one import
in at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import OperationalError, connections, models, router
from django.utils.translation import gettext as _

from .source import UnusableFile


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for the import called `name`."""
    digest = hashlib.blake2b(f"vetclinic.importar:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def serialize(name: str, model: type[models.Model], *, on_wait: Callable[[], None] | None = None) -> None:
    """Waits until no other import called `name` is running, and keeps them out until the
    current transaction ends. `on_wait` is called first when it has to wait."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("serialize() holds its lock until the transaction ends: call it inside one")
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        if cursor.fetchone()[0]:
            return
        if on_wait:
            on_wait()
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        except OperationalError as exc:  # statement_timeout (DB_COMMAND_STATEMENT_TIMEOUT_MS)
            raise UnusableFile(
                _("otra importación de %(kind)s sigue en curso: %(error)s")
                % {"kind": model._meta.verbose_name_plural, "error": exc}
            ) from exc
