"""Small write helpers every app's services use."""

import functools
import logging
import random
import time

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from .exceptions import OPERACION_CONCURRENTE, TIENE_REGISTROS_RELACIONADOS, Conflict

logger = logging.getLogger(__name__)

# SQLSTATEs after which the same transaction, run again from the start, may well succeed:
# deadlock_detected and serialization_failure (psycopg's DeadlockDetected, SerializationFailure).
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def save_validated(instance, *, actor=None, update_fields=None):
    """`full_clean()` then save, so model constraints give friendly 400s.

    `actor` is recorded as the author of the change in the audit history.

    A constraint that only the database sees (a concurrent duplicate) still ends as
    a 400, never a 500: the IntegrityError is turned back into a ValidationError.
    """
    instance.full_clean()
    if actor is not None:
        instance._history_user = actor
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(
            _("Los datos entran en conflicto con un registro existente."), code="registro_duplicado"
        ) from exc
    return instance


def model_update(*, instance, data, fields, actor=None):
    """Applies the allowed `fields` present in `data`; saves only when something changed.

    Returns `(instance, changed)`.
    """
    changed = [name for name in fields if name in data and getattr(instance, name) != data[name]]
    for name in changed:
        setattr(instance, name, data[name])
    if changed:
        fields_to_save = [*changed, "actualizado_en"] if hasattr(instance, "actualizado_en") else changed
        save_validated(instance, actor=actor, update_fields=fields_to_save)
    return instance, bool(changed)


def delete_or_conflict(instance, *, detail, code=TIENE_REGISTROS_RELACIONADOS, actor=None):
    """Deletes `instance`, answering 409 (`detail`, `code`) when protected rows still point at it."""
    if actor is not None:
        instance._history_user = actor
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise Conflict(detail, code) from exc


def lock_rows(queryset, *, of=()):
    """`queryset` locked until commit: `SELECT ... FOR NO KEY UPDATE` where the database has it
    (PostgreSQL), so that inserting rows with a foreign key to a locked row (which takes
    FOR KEY SHARE) is not blocked; `FOR UPDATE` elsewhere. SQLite ignores both (its
    transactions are IMMEDIATE: one writer at a time). With `select_related`, pass
    `of=("self",)` to lock only the queryset's own rows, not the joined ones."""
    no_key = connections[queryset.db].features.has_select_for_no_key_update
    return queryset.select_for_update(no_key=no_key, of=of)


def _is_retryable(exc):
    cause = exc.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in RETRYABLE_SQLSTATES


def retry_on_deadlock(func=None, *, attempts=3):
    """Runs a service (its own `transaction.atomic`, so apply this decorator above it) again,
    up to `attempts` times in all, when the database aborted it as a deadlock victim or a
    serialization failure. Lock ordering makes those rare; this keeps the rare one from
    becoming a 500. Inside an outer transaction there is nothing to retry (it is aborted
    as a whole), and after the last attempt the caller gets a 409 to try again."""
    if func is None:
        return functools.partial(retry_on_deadlock, attempts=attempts)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        attempt = 1
        while True:
            try:
                return func(*args, **kwargs)
            except DatabaseError as exc:
                if not _is_retryable(exc):
                    raise
                if attempt >= attempts or transaction.get_connection().in_atomic_block:
                    raise Conflict(
                        _("La operación ha coincidido con otra simultánea; inténtelo de nuevo."), OPERACION_CONCURRENTE
                    ) from exc
                logger.warning("%s: %s; retrying (attempt %s of %s)", func.__qualname__, exc, attempt + 1, attempts)
                # A short random pause, so that the transactions that collided do not collide again.
                time.sleep(random.uniform(0, 0.05 * attempt))
                attempt += 1

    return wrapper
