"""Small write helpers every app's services use."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from .exceptions import Conflict


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
        raise ValidationError(_("Los datos entran en conflicto con un registro existente.")) from exc
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


def delete_or_conflict(instance, *, detail, actor=None):
    """Deletes `instance`, answering 409 with `detail` when protected rows still point at it."""
    if actor is not None:
        instance._history_user = actor
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise Conflict(detail) from exc
