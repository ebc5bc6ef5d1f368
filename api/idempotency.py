"""Idempotency-Key: a POST retried with the same key is answered once.

A POST may carry `Idempotency-Key` (1–255 printable ASCII characters, else `400`). Per
(caller, key) the first request claims the key by inserting its row (the unique constraint
makes the claim atomic across processes and servers; the insert commits at once, so concurrent
retries see it). Then:

- the request runs in a transaction that also records its answer (status, body, and the
  headers `KEPT_HEADERS`) in the row: the write and the stored answer commit together, so a
  crash between them cannot leave a write whose retry would run again;
- a repeat with the same key and the same request (a keyed hash of method, path and parsed
  body) gets the stored answer again, with `Idempotent-Replayed: true`, and writes nothing;
- the same key with another request → `422 idempotency_key_reused`;
- a repeat while the first is running → `409 idempotency_in_progress`;
- answers below 500 are final and kept (a 400 stays a 400 for the same body); a 5xx, an
  unhandled error or a lost deadlock (a 409 that says "try again") releases the key (the
  write was rolled back), so that the retry the client was told to make runs again;
- a claim whose request died (its process killed) is taken over after `IDEMPOTENCY_LEASE`;
  the taken-over request, should it still be alive, finds its claim gone and rolls back;
- keys expire `IDEMPOTENCY_KEY_TTL` (24 h) after the first request: an expired row is deleted
  when its key comes again, and `manage.py purgar_idempotencia` deletes all of them (a Celery
  beat task will run it).

The caller is the authenticated user; an anonymous POST shares the "anon" scope. The token
endpoints (`auth/token/`, `auth/token/refresh/`, `auth/logout/`) do not take part: their answers
are credentials, which this table would keep in clear for a day, and a login or logout may
simply be repeated. A view whose answers carry a secret shown once (an integration's `clave`,
a webhook's `secreto`) names it in `idempotency_secret_fields`: the kept answer has it null,
so a replay says what was written without handing the secret out again (rotate it for a new
one), and the table never holds it.
"""

import functools
import json
import logging
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.utils.encoders import JSONEncoder

from core.services import RETRYABLE_SQLSTATES

from .models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_META_KEY = "HTTP_IDEMPOTENCY_KEY"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("Esta Idempotency-Key ya se usó con otra petición; use una clave nueva para cada petición.")
    default_code = "idempotency_key_reused"


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Una petición con esta Idempotency-Key aún se está procesando; repítala en unos segundos.")
    default_code = "idempotency_in_progress"


def validated_key(value: str) -> str:
    if not _VALID_KEY.fullmatch(value):
        raise exceptions.ValidationError(
            {HEADER: [_("La cabecera Idempotency-Key debe tener de 1 a 255 caracteres imprimibles (ASCII).")]},
            code="idempotency_key_invalid",
        )
    return value


def caller_of(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anon"


def fingerprint_of(request) -> str:
    """A keyed hash (HMAC with SECRET_KEY, so that the bodies of password changes cannot be
    guessed from the table) of method, path with query and the parsed body in canonical form."""
    body = json.dumps(request.data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    message = "\n".join([request.method, request.get_full_path(), body])
    return salted_hmac("api.idempotency", message, algorithm="sha256").hexdigest()


@dataclass
class Claim:
    record: IdempotencyKey

    @property
    def token(self):
        return self.record.token


def claim(*, caller, key, fingerprint, method, path):
    """The key for this request: a `Claim` when this request is to run, else the stored
    `IdempotencyKey` whose answer is to be replayed. Raises 422/409 as the module says."""
    for _attempt in range(5):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    caller=caller,
                    key=key,
                    fingerprint=fingerprint,
                    method=method,
                    path=path,
                    token=uuid.uuid4(),
                    locked_at=now,
                    expires_at=now + settings.IDEMPOTENCY_KEY_TTL,
                )
            return Claim(record)
        except IntegrityError:
            pass
        record = IdempotencyKey.objects.filter(caller=caller, key=key).first()
        if record is None:
            continue  # released or purged since the insert failed: claim it again
        if record.expires_at <= now:
            IdempotencyKey.objects.filter(pk=record.pk, expires_at__lte=now).delete()
            continue
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if not record.in_progress:
            return record
        if record.locked_at <= now - settings.IDEMPOTENCY_LEASE:
            token = uuid.uuid4()
            taken = IdempotencyKey.objects.filter(pk=record.pk, token=record.token, status_code__isnull=True).update(
                token=token, locked_at=now
            )
            if taken:
                record.token, record.locked_at = token, now
                return Claim(record)
            continue
        raise IdempotencyInProgress()
    raise IdempotencyInProgress()


def kept_body(response, secret_fields=()) -> bytes:
    """The body to keep of `response` (rendered): as sent, but with each top-level field of
    `secret_fields` null."""
    body = bytes(response.content)
    if not secret_fields or not body:
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict) or not any(field in data for field in secret_fields):
        return body
    data.update({field: None for field in secret_fields if field in data})
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def complete(claim: Claim, response, *, secret_fields=()) -> bool:
    """Records `response` (rendered) as the key's answer, its `secret_fields` null; False when
    the claim is no longer this request's. Call it inside the transaction of the request's write."""
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    return bool(
        IdempotencyKey.objects.filter(pk=claim.record.pk, token=claim.token, status_code__isnull=True).update(
            status_code=response.status_code,
            response_headers=headers,
            response_body=kept_body(response, secret_fields),
            completed_at=timezone.now(),
        )
    )


def release(claim: Claim) -> None:
    """Gives the key up (the request failed with a 5xx), so that a retry runs again."""
    try:
        IdempotencyKey.objects.filter(pk=claim.record.pk, token=claim.token, status_code__isnull=True).delete()
    except DatabaseError:
        # The database itself failed; the lease lets a retry take the claim over later.
        logger.exception("could not release the idempotency key %s", claim.record.pk)


def replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.status_code)
    del response["Content-Type"]
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def purge_expired(*, now=None) -> int:
    """Deletes the keys past their `expires_at`; returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _collided(exc) -> bool:
    """The request lost a deadlock or a serialization failure (core.services.retry_on_deadlock's
    409, "try again"): not an answer to keep, or the retry it asks for would only replay it."""
    while exc is not None:
        if (getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)) in RETRYABLE_SQLSTATES:
            return True
        exc = exc.__cause__
    return False


class IdempotencyMixin:
    """Idempotency-Key for the POSTs of a DRF view (every viewset through api.viewsets, and the
    account views that take part). The key is claimed after authentication, permissions and
    throttles (their refusals are not answers to keep), before the handler runs."""

    idempotency_secret_fields: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        handler = getattr(self, "post", None)
        if request.method != "POST" or _META_KEY not in request.META or handler is None:
            return  # no POST here (405): nothing to claim
        key = validated_key(request.META[_META_KEY])
        outcome = claim(
            caller=caller_of(request),
            key=key,
            fingerprint=fingerprint_of(request),
            method=request.method,
            path=request.get_full_path()[:2000],
        )
        if isinstance(outcome, Claim):
            self.post = self._idempotent(handler, outcome)
        else:
            self.post = lambda request, *args, **kwargs: replay(outcome)

    def _idempotent(self, handler, claimed):
        @functools.wraps(handler)
        def run(request, *args, **kwargs):
            try:
                with transaction.atomic():
                    try:
                        with transaction.atomic():
                            response = handler(request, *args, **kwargs)
                    except Exception as exc:
                        # Answered here, inside the transaction, so that a 4xx is kept with it;
                        # what DRF does not handle (a 500) is raised again.
                        transient = _collided(exc)
                        response = self.handle_exception(exc)
                    else:
                        transient = False
                    if transient or status.is_server_error(response.status_code):
                        release(claimed)
                        return response
                    response = self.finalize_response(request, response, *args, **kwargs)
                    if hasattr(response, "render"):
                        response.render()
                    if not complete(claimed, response, secret_fields=self.idempotency_secret_fields):
                        raise IdempotencyInProgress()  # taken over: this request's write rolls back
                    return response
            except BaseException:
                release(claimed)
                raise

        return run
