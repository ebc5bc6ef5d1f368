"""Domain errors: what services raise when a rule refuses an operation. Framework-neutral (no
HTTP in here): the API's exception handler (api.exceptions) and the admin's helper
(core.admin.as_form_error) each translate them for their callers. Field rules raise
Django's ValidationError, which both translate as well."""

from django.db import OperationalError
from django.utils.translation import gettext_lazy as _


class Conflict(Exception):
    """The request is valid but clashes with the current state (the API answers 409).

    `message` is for people (translated), `code` for programs (stable), `extra` carries data
    the caller may act on (e.g. the ids of the citas a bloqueo would overlap)."""

    default_message = _("La operación entra en conflicto con el estado actual.")
    default_code = "conflict"

    def __init__(self, message=None, code=None, *, extra=None):
        self.message = self.default_message if message is None else message
        self.code = code or self.default_code
        self.extra = extra or {}
        super().__init__(str(self.message))

    def __str__(self):
        return str(self.message)


# Conflict codes shared by every app (each domain rule's own code is set where it is raised).
TIENE_HISTORIAL = "tiene_historial"  # a delete refused: the object has a history (citas, consultas…)
TIENE_REGISTROS_RELACIONADOS = "tiene_registros_relacionados"  # a delete refused by other protected rows
OPERACION_CONCURRENTE = "operacion_concurrente"  # a deadlock or serialization failure, after the retries
CONFLICTO_INTEGRIDAD = "conflicto_integridad"  # a database constraint no service translated


# A statement cancelled by statement_timeout (DB_STATEMENT_TIMEOUT_MS): the API and the admin
# answer 503 with this message.
STATEMENT_TIMEOUT_MESSAGE = _("La operación ha tardado demasiado y se ha cancelado; inténtelo de nuevo.")

# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (or a cancel request).
QUERY_CANCELED = "57014"


def is_statement_timeout(exc):
    return isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED
