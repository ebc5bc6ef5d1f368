"""Request-level guards and context: request ids for logs, body size limit, hostile query strings."""

import re
import uuid

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from core.exceptions import STATEMENT_TIMEOUT_MESSAGE, is_statement_timeout
from core.request_context import request_id_var

from .exceptions import BadRequest, RequestTooLarge, error_response

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Gives every request an id (the caller's `X-Request-ID` when sane), echoed in the response
    and attached to every log line written while the request runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestGuardMiddleware:
    """Refuses, with a clear 4xx in the API's error shape, requests no endpoint can handle
    sensibly: bodies over `MAX_REQUEST_BODY_BYTES` (413 `request_too_large`), and a bad
    Content-Length or query strings with NUL bytes, which PostgreSQL cannot store or compare
    (400 `bad_request`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._refusal(request)
        if refused is None:
            return self.get_response(request)
        # This runs before LocaleMiddleware: the message follows Accept-Language all the same.
        with translation.override(translation.get_language_from_request(request)):
            return error_response(refused())

    @staticmethod
    def _refusal(request):
        """The error class (a callable making the exception) that refuses `request`, or None."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return lambda: BadRequest(_("Cabecera Content-Length no válida."))
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return RequestTooLarge
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return lambda: BadRequest(_("La petición contiene caracteres no válidos."))
        return None

    def process_exception(self, request, exception):
        """A statement cancelled by DB_STATEMENT_TIMEOUT_MS outside the API (the admin) is a 503
        too, not a 500 (the API's own handler answers its views)."""
        if not is_statement_timeout(exception):
            return None
        response = HttpResponse(
            str(STATEMENT_TIMEOUT_MESSAGE), status=503, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = "5"
        return response


# HTML pages (the admin, the API docs) load only this server's scripts, styles and fonts:
# an injected <script> or a stylesheet from elsewhere does not run. Inline styles stay
# allowed (the admin's widgets set them); inline scripts do not (the docs' initialiser is a
# file of its own, see urls.py).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every HTML page, and `Cache-Control: no-store` on API
    answers (they carry owners' and patients' data, which no browser or proxy cache keeps)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.path.startswith("/api/v1/"):
            response["Cache-Control"] = "no-store"
        return response
