"""Role-based access, shared by every app.

A viewset lists, per action, the roles that may call it (`action_roles`);
`api.permissions.RolePermission` enforces that table and refuses any action it does not
list, so a new endpoint is closed until someone decides who may use it.
Which *objects* a role sees or changes is not decided here but by the scoping
API (`accounts.scoping`: `visible_to`), so out-of-scope objects answer 404.
"""

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


def is_cliente(user):
    return getattr(user, "rol", None) == Rol.CLIENTE
