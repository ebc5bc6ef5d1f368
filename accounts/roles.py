"""What each staff rol may do in the admin, as Django groups of model permissions.

The table mirrors the role table of the API contract. Admins need no group (a user with
rol `admin` is a superuser) and a `cliente` never enters the admin, so only the two
other staff roles have one. Rules finer than a model permission (a vet edits only their
own consultas and bloqueos) are enforced by the ModelAdmins and the services.

A user's group follows its `rol`: `sync_user_group` is called wherever a user is created
or its rol changes (the services, the manager), never from a signal.
"""

from django.contrib.auth.models import Group

from .models import Rol

# Billing, the same for both staff roles: the catalogue read, the documents of their sedes
# written (the ModelAdmins scope them by sede), payments recorded; deleting is the admin's.
FACTURACION = {
    "facturacion.impuesto": ("view",),
    "facturacion.producto": ("view",),
    "facturacion.factura": ("view", "add", "change"),
    "facturacion.presupuesto": ("view", "add", "change"),
    "facturacion.pago": ("view", "add"),
}

ROLE_PERMISSIONS = {
    Rol.VETERINARIO: {
        "sedes.sede": ("view",),
        "clientes.cliente": ("view",),
        "pacientes.paciente": ("view", "change"),
        "historial.consulta": ("view", "add", "change"),
        "historial.vacuna": ("view", "add", "change"),
        "citas.cita": ("view", "add", "change"),
        "citas.horarioatencion": ("view",),
        "citas.bloqueo": ("view", "add", "change", "delete"),
        "recordatorios.recordatorio": ("view",),
        **FACTURACION,
        "recordatorios.plantilla": ("view",),
        "recordatorios.mensaje": ("view",),
    },
    Rol.RECEPCIONISTA: {
        "sedes.sede": ("view",),
        "clientes.cliente": ("view", "add", "change"),
        "pacientes.paciente": ("view", "add", "change"),
        "historial.consulta": ("view",),
        "historial.vacuna": ("view",),
        "citas.cita": ("view", "add", "change"),
        "citas.horarioatencion": ("view",),
        "citas.bloqueo": ("view", "add", "change", "delete"),
        "recordatorios.recordatorio": ("view",),
        **FACTURACION,
        "recordatorios.plantilla": ("view",),
        "recordatorios.mensaje": ("view",),
    },
}


def sync_role_groups(*, group_model, permission_model) -> None:
    """Creates one group per staff rol and gives it exactly the permissions of the table.

    Takes the models as arguments so that data migrations can pass their historical ones.
    Permissions of models that do not exist yet are skipped; running it again adds them.
    """
    for rol, table in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=rol)
        wanted = {
            (label.split(".")[0], f"{action}_{label.split('.')[1]}")
            for label, actions in table.items()
            for action in actions
        }
        permissions = [
            permission
            for permission in permission_model.objects.select_related("content_type").filter(
                content_type__app_label__in={app for app, _codename in wanted}
            )
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)


def sync_user_group(user) -> None:
    """Puts `user` in the group of its rol and out of the other roles' groups."""
    role_groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_PERMISSIONS)}
    others = [group for name, group in role_groups.items() if name != user.rol]
    if others:
        user.groups.remove(*others)
    if user.rol in ROLE_PERMISSIONS:
        group = role_groups.get(user.rol) or Group.objects.get_or_create(name=user.rol)[0]
        user.groups.add(group)
