"""Role-based access, shared by every app.

A viewset lists, per action, the roles that may call it (`action_roles`);
`RolePermission` enforces that table and refuses any action it does not
list, so a new endpoint is closed until someone decides who may use it.
Which *objects* a role sees or changes is not decided here but by the scoping
API (`accounts.scoping`: `visible_to`), so out-of-scope objects answer 404.
"""

from rest_framework.permissions import BasePermission

from .models import STAFF_ROLES, Rol

ADMIN = frozenset({Rol.ADMIN})
STAFF = STAFF_ROLES
ALL_ROLES = frozenset(Rol.values)
ADMIN_RECEPCION = frozenset({Rol.ADMIN, Rol.RECEPCIONISTA})
ADMIN_VETERINARIO = frozenset({Rol.ADMIN, Rol.VETERINARIO})


def crud_roles(*, read=frozenset(), create=frozenset(), update=frozenset(), destroy=ADMIN, **actions):
    """Builds an `action_roles` table from the contract's read/create/update/delete columns."""
    table = {
        "list": read,
        "retrieve": read,
        "create": create,
        "update": update,
        "partial_update": update,
        "destroy": destroy,
    }
    table.update(actions)
    return table


class RolePermission(BasePermission):
    """Allows the request when the user's rol is in `view.action_roles[view.action]`."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action == "metadata":
            return True
        return user.rol in view.action_roles.get(view.action, ())


class RoleAllowedMethodsMixin:
    """The `Allow` header (on OPTIONS and 405 answers) lists only the methods whose action
    the caller's rol may use, so that a client never offers a button that answers 403."""

    @property
    def allowed_methods(self):
        methods = super().allowed_methods
        user = getattr(getattr(self, "request", None), "user", None)
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


class IsAdminRol(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.rol == Rol.ADMIN)


def is_cliente(user):
    return getattr(user, "rol", None) == Rol.CLIENTE
