"""`Authorization: Api-Key <key>`: an integration acts as its service user, narrowed.

The key is looked up by its prefix and checked against its hash (djangorestframework-api-key);
a revoked key (rotated away), an inactive integration or an unknown key is a 401. The request's
user becomes the integration's service user (rol admin: staff visibility), carrying the
integration's sedes (`sedes_integracion`, read by accounts.scoping), and `request.auth` is the
Integracion, whose `permite(recurso, verbo)` api.permissions.RolePermission asks (403).
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ClaveIntegracion, Integracion

KEYWORD = "Api-Key"
# `ultimo_uso` is written at most once per this interval (no write per request).
ULTIMO_USO_CADA = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != KEYWORD.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Cabecera Api-Key no válida."), code="authentication_failed")
        clave = header[1].decode(errors="replace")
        try:
            registro = ClaveIntegracion.objects.get_from_key(clave)
        except ClaveIntegracion.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                _("Clave de integración no válida o revocada."), code="authentication_failed"
            ) from None
        integracion = registro.integracion
        usuario = integracion.usuario
        if registro.has_expired or not integracion.activo or not usuario.is_active:
            raise exceptions.AuthenticationFailed(_("La integración está desactivada."), code="authentication_failed")
        sedes = list(integracion.sedes.values_list("pk", flat=True))
        usuario.sedes_integracion = sedes or None
        usuario.permite_integracion = integracion.permite  # accounts.scoping.clave_permite
        _marcar_uso(integracion)
        return usuario, integracion

    def authenticate_header(self, request):
        return KEYWORD


def _marcar_uso(integracion):
    ahora = timezone.now()
    if integracion.ultimo_uso is None or ahora - integracion.ultimo_uso >= ULTIMO_USO_CADA:
        Integracion.objects.filter(pk=integracion.pk).update(ultimo_uso=ahora)
        integracion.ultimo_uso = ahora
