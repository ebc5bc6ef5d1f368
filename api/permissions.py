"""The role table enforced for DRF: `RolePermission` checks the viewset's `action_roles`
(built with accounts.permissions.crud_roles), and the `Allow` header follows it."""

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission


class RolePermission(BasePermission):
    """Allows the request when the user's rol is in `view.action_roles[view.action]` (and, for
    an integration key, its permisos name the resource and verb: `scopes_allow`)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not scopes_allow(request):
            return False
        if view.action in ("metadata", None):
            # OPTIONS, or a method this route does not have (the view answers 405)
            return True
        return user.rol in view.action_roles.get(view.action, ())


class ScopesPermission(BasePermission):
    """For the views outside the role table (the caller's own profile, its password): an
    integration key passes only where its permisos reach (`scopes_allow`: never `auth`, a
    resource no key reaches), 403 otherwise; any other caller passes."""

    def has_permission(self, request, view):
        return scopes_allow(request)


class RoleAllowedMethodsMixin:
    """The `Allow` header (on OPTIONS and 405 answers) lists only the methods whose action
    the caller's rol may use, so that a client never offers a button that answers 403."""

    @property
    def allowed_methods(self):
        methods = super().allowed_methods
        try:
            user = getattr(getattr(self, "request", None), "user", None)
        except exceptions.APIException as exc:
            # A bad or expired token, met while DRF builds the default headers (before its own
            # authentication step): every method is listed, and the request is refused with
            # this very error (401 token_not_valid, …) when authentication runs.
            self._authentication_error = exc
            return methods
        action_map = getattr(self, "action_map", None) or {}
        if not (user and user.is_authenticated and action_map):
            return methods
        rol = user.rol
        return [
            method
            for method in methods
            if method == "OPTIONS"
            or (action := action_map.get("get" if method == "HEAD" else method.lower())) is None
            or rol in self.action_roles.get(action, ())
        ]

    def perform_authentication(self, request):
        error = getattr(self, "_authentication_error", None)
        if error is not None:
            raise error
        super().perform_authentication(request)


API_PREFIX = "/api/v1/"


def recurso_de(request) -> str:
    """The resource a request is about: the first path segment under /api/v1/ (`citas`)."""
    path = request.path
    return path[len(API_PREFIX) :].split("/", 1)[0] if path.startswith(API_PREFIX) else ""


def scopes_allow(request) -> bool:
    """An integration key (`request.auth` with `permite(recurso, verbo)`, see
    integraciones.authentication) reaches only what its permisos name; any other caller, all
    its rol does."""
    permite = getattr(request.auth, "permite", None)
    if permite is None:
        return True
    return permite(recurso_de(request), "read" if request.method in SAFE_METHODS else "write")
