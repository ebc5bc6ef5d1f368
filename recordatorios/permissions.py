import time

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .canales import firma_valida


class FirmaDeProveedor(BasePermission):
    """A provider's callback, signed with MENSAJES_CALLBACK_SECRET (X-VetClinic-Signature:
    t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, at most 5 minutes old): the only credential
    of an endpoint that takes no authentication. Anything else is 403."""

    message = _("Firma no válida o caducada.")

    def has_permission(self, request, view):
        return firma_valida(
            request.headers.get("X-VetClinic-Signature"),
            request.body,
            secreto=settings.MENSAJES_CALLBACK_SECRET,
            ahora=time.time(),
        )
