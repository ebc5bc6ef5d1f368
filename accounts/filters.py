import django_filters

from api.filters import FilterSet

from .models import Rol, User
from .selectors import veterinarios_visibles

# The sedes a caller may know of: `sedes.filters.sedes_visibles(request)`, registered by the
# sedes side (`register_sedes_visibles`, from CitasConfig.ready) since accounts sits below sedes
# and never imports it. Unregistered, the rule of `Sede.ownership` itself.
_sedes_visibles = None


def register_sedes_visibles(source) -> None:
    global _sedes_visibles
    _sedes_visibles = source


def sedes_visibles(request):
    """The sedes the caller may know of: for an owner, only those that take online bookings,
    so any other id is as unknown (400 on a filter) as a missing one."""
    if _sedes_visibles is not None:
        return _sedes_visibles(request)
    sedes = User._meta.get_field("sedes").related_model.objects
    return sedes.none() if request is None else sedes.visible_to(request.user)


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
