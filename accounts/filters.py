import django_filters

from api.filters import FilterSet

from . import scoping
from .models import Rol, User
from .selectors import veterinarios_visibles


def sedes_visibles(request):
    """The sedes the caller may know of (accounts.scoping.sedes_visibles): for an owner, only
    those that take online bookings, so any other id is as unknown (400 on a filter) as a
    missing one."""
    if request is None:
        return User._meta.get_field("sedes").related_model.objects.none()
    return scoping.sedes_visibles(request.user)


def _veterinarios_visibles(request):
    return veterinarios_visibles(request.user if request is not None else None)


class VeterinarioFilter(django_filters.ModelChoiceFilter):
    """A `veterinario` filter whose choices are the vets the caller may know of."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _veterinarios_visibles)
        super().__init__(*args, **kwargs)


class SedeFilter(django_filters.ModelChoiceFilter):
    """`?sede=ID`: the users who work at that sede, one of those the caller may know of."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "sedes")
        kwargs.setdefault("queryset", sedes_visibles)
        super().__init__(*args, **kwargs)


class UsuarioFilterSet(FilterSet):
    rol = django_filters.ChoiceFilter(choices=Rol.choices)
    sede = SedeFilter()

    class Meta:
        model = User
        fields = ["rol", "is_active", "sede"]


class VeterinarioFilterSet(FilterSet):
    sede = SedeFilter()

    class Meta:
        model = User
        fields = ["sede"]
