"""Conditional requests (RFC 9110 §13): ETag, If-None-Match and If-Match on every detail resource.

The tag is computed from the representation the caller sees (a hash of the answer's canonical
JSON), not from the row's `actualizado_en`: a cliente's `num_pacientes`, a cita's
`paciente_nombre` or a paciente's historial change with other rows, and a tag that did not follow
them would let a client keep a stale copy (304) or overwrite what it never saw (If-Match). Two
callers who see different fields of one object get different tags, as they get different bodies.

- A detail `GET`/`HEAD` answers `ETag`; `If-None-Match` that matches it (weak comparison, `*`
  or a list) → `304` without a body.
- A write on a detail route (`PUT`, `PATCH`, `DELETE`, any detail `POST` action) with `If-Match`
  (strong comparison: a `W/` tag never matches; `*` matches the existing object; a list matches
  when one of them does; a value that is no tag at all matches nothing) or `If-None-Match`
  (matching → refused) is checked inside one transaction, under the lock the write itself is
  serialised by (`lock_for_write`) and after a fresh read of the representation; the write
  runs in the same transaction. Two writers holding the same tag are serialised by the lock:
  the second reads the first one's result, whose tag differs, and gets `412
  precondition_failed`; nothing of it is written. The lock is the one the service takes
  first, so the lock order (citas.services) is kept: by default the object's own row (a cita:
  step 1; clientes, pacientes, vacunas and users are locked by no service before their own
  row), the paciente's row for a consulta, the vet's for a horario or a bloqueo.
- A write's answer carries the new tag (the tag a `GET` of the object will answer), and so does
  a create's `201`.

Without these headers a request runs exactly as before (no extra lock or transaction).
List routes have no tag; they ignore the headers.
"""

import functools
import hashlib
import json

from django.db import transaction
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core.services import lock_rows, retry_on_deadlock

READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("El recurso ha cambiado desde que lo leyó (If-Match no coincide); léalo de nuevo.")
    default_code = "precondition_failed"


def etag_for(data) -> str:
    """The strong ETag of a representation: a hash of its canonical JSON (sorted keys, no
    spaces), so that it changes exactly when some field of the answer does."""
    canonical = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f'"{hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]}"'


def _opaque(tag):
    return tag[2:] if tag.startswith("W/") else tag


def if_match_passes(current: str, header: str) -> bool:
    """RFC 9110 §13.1.1: strong comparison. `*` passes for an existing object."""
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    return any(not tag.startswith("W/") and tag == current for tag in tags)


def if_none_match_matches(current: str, header: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison. `*` matches an existing object."""
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    return any(_opaque(tag) == _opaque(current) for tag in tags)


class ConditionalRequestMixin:
    """ETag, If-None-Match and If-Match for a DRF view whose detail routes show one object.

    ViewSets get it from the base (api.viewsets.ScopedViewSetMixin) for their detail routes;
    a plain view of one object (`/auth/me/`) sets `detail = True` and returns a fresh read of
    it from `get_object()`.
    """

    def is_conditional_resource(self) -> bool:
        return getattr(self, "detail", False) is True

    def etag_data(self, obj):
        """The representation the tag is computed from: what a GET of the object answers."""
        return self.get_serializer(obj).data

    def current_etag(self, obj) -> str:
        return etag_for(self.etag_data(obj))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in WRITE_METHODS and self.is_conditional_resource() and _has_preconditions(request):
            method = request.method.lower()
            handler = getattr(self, method, None)
            if handler is not None:
                setattr(self, method, self._under_preconditions(handler))

    def lock_for_write(self, obj):
        """Takes the lock the object's writes are serialised by, before the If-Match check.
        By default the object's own row; a viewset whose service first locks another row (and
        writes the object's only after it) overrides this with that service's lock, so that the
        lock order stays one."""
        list(lock_rows(type(obj)._default_manager.filter(pk=obj.pk)).values_list("pk", flat=True))

    def _under_preconditions(self, handler):
        # Outermost, the transaction is run again on a deadlock (then 409, never a 500); inside
        # an Idempotency-Key's transaction the deadlock is a 409 at once (core.services).
        @functools.wraps(handler)
        @retry_on_deadlock
        @transaction.atomic
        def run(request, *args, **kwargs):
            self.check_write_preconditions(request)
            return handler(request, *args, **kwargs)

        return run

    def check_write_preconditions(self, request):
        """Takes the write's lock, reads the representation again and refuses the write (412)
        when If-Match does not match it, or If-None-Match does. Runs inside the transaction
        the write then runs in."""
        obj = self.get_object()  # 404 outside the caller's scope, before any lock
        self.lock_for_write(obj)
        current = self.current_etag(self.get_object())
        if_match = request.headers.get("If-Match")
        if if_match is not None and not if_match_passes(current, if_match):
            raise PreconditionFailed()
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None and if_none_match_matches(current, if_none_match):
            raise PreconditionFailed()

    def finalize_response(self, request, response, *args, **kwargs):
        response = self._tagged(request, response)
        return super().finalize_response(request, response, *args, **kwargs)

    def _tagged(self, request, response):
        if not isinstance(response, Response) or response.data is None or response.has_header("ETag"):
            return response
        if not status.is_success(response.status_code):
            return response
        if request.method in READ_METHODS:
            if not self.is_conditional_resource():
                return response
            tag = etag_for(response.data)
            if_none_match = request.headers.get("If-None-Match")
            if if_none_match is not None and if_none_match_matches(tag, if_none_match):
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        elif self.is_conditional_resource() or getattr(self, "action", None) == "create":
            tag = etag_for(response.data)
        else:
            return response
        response["ETag"] = tag
        return response


def _has_preconditions(request):
    return "HTTP_IF_MATCH" in request.META or "HTTP_IF_NONE_MATCH" in request.META
