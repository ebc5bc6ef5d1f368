import django_filters

from core.filters import FilterSet

from .models import Rol, User
from .permissions import is_cliente


def veterinarios_visibles(request):
    """Choices of a `veterinario` filter: the vets the caller may know of (staff: every vet;
    an owner: the active ones, as `/veterinarios/` lists them). Any other user id is as
    unknown (400) as a missing one, so a filter never tells whether a user exists."""
    if request is None or not request.user.is_authenticated:
        return User.objects.none()
    vets = User.objects.filter(rol=Rol.VETERINARIO)
    return vets.filter(is_active=True) if is_cliente(request.user) else vets


class VeterinarioFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", veterinarios_visibles)
        super().__init__(*args, **kwargs)


class UsuarioFilterSet(FilterSet):
    rol = django_filters.ChoiceFilter(choices=Rol.choices)

    class Meta:
        model = User
        fields = ["rol", "is_active"]
