from api.filters import FilterSet

from .models import Sede
from .selectors import sede_list


def sedes_visibles(request):
    """Choices of a `sede` filter or field, scoped like the sedes list: an owner knows only the
    sedes that take online bookings, so any other id is as unknown (400) as a missing one."""
    if request is None:
        return Sede.objects.none()
    return sede_list(user=request.user)


class SedeFilterSet(FilterSet):
    class Meta:
        model = Sede
        fields = ["activo"]
