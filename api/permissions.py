"""The role table enforced for DRF: `RolePermission` checks the viewset's `action_roles`
(built with accounts.permissions.crud_roles), and the `Allow` header follows it."""

from rest_framework.permissions import BasePermission


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
