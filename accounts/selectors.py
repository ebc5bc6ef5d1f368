"""Reads of users that other apps share."""

from .models import Rol, User
from .permissions import is_cliente


def veterinarios(*, solo_activos=True):
    """Users with the veterinario rol: by default only the active ones (those who may be booked
    or named on a consulta); `solo_activos=False` adds the deactivated ones, whom past citas
    and consultas still name."""
    vets = User.objects.filter(rol=Rol.VETERINARIO)
    return vets.filter(is_active=True) if solo_activos else vets


def es_veterinario_activo(user):
    """`veterinarios()` for a user already in hand: may `user` be booked or sign a consulta?"""
    return user.rol == Rol.VETERINARIO and user.is_active


def veterinarios_visibles(user):
    """The vets `user` may know of: staff, every vet (active or not: their past citas and
    consultas name them); an owner, the active ones, as `/veterinarios/` lists them. Any other
    user id is as unknown to the caller as a missing one (filters, related fields), so no
    answer tells whether some other user exists."""
    if user is None or not user.is_authenticated:
        return User.objects.none()
    return veterinarios(solo_activos=is_cliente(user))


def usuario_list(*, user):
    """Every user, with the linked cliente joined and their sedes (the list is the admin's)."""
    return User.objects.select_related("cliente").prefetch_related("sedes")


def veterinario_list(*, user):
    """The active vets, whom any caller may see (to book with), with their sedes."""
    return veterinarios().prefetch_related("sedes")
