"""Reads of sedes that every app shares."""

from .models import CODIGO_PRINCIPAL, Sede


def sede_list(*, user):
    """The sedes `user` may see: staff, all of them; an owner, the active ones that take
    online bookings (Sede.ownership)."""
    return Sede.objects.visible_to(user)


def sedes_activas():
    return Sede.objects.filter(activo=True)


def sede_unica():
    """The one active sede while there is exactly one (every `sede` field may then be omitted,
    so v1 clients keep working), else None."""
    sedes = list(sedes_activas()[:2])
    return sedes[0] if len(sedes) == 1 else None


def sede_por_defecto():
    """The sede of things that belong to none (the server's `TIME_ZONE`): the one the first
    sedes migration created, else the oldest active one."""
    return Sede.objects.filter(codigo=CODIGO_PRINCIPAL).first() or sedes_activas().order_by("pk").first()
