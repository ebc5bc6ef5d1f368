from accounts import scoping
from api.filters import FilterSet

from .models import Sede


def sedes_visibles(request):
    """Choices of a `sede` filter or field, scoped like the sedes list (accounts.scoping.
    sedes_visibles): an owner knows only the sedes that take online bookings, an integration key
    only its own, so any other id is as unknown (400) as a missing one."""
    if request is None:
        return Sede.objects.none()
    return scoping.sedes_visibles(request.user)


def sedes_de_trabajo(request):
    """Choices of a `sede` the caller acts at (accounts.scoping.sedes_de_trabajo: an admin, all;
    other staff, theirs; an integration key, its own): any other id is a 400 does_not_exist."""
    if request is None:
        return Sede.objects.none()
    return scoping.sedes_de_trabajo(request.user)


class SedeFilterSet(FilterSet):
    class Meta:
        model = Sede
        fields = ["activo"]
