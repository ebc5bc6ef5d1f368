import django_filters

from core.filters import FilterSet

from .models import Rol, User


class UsuarioFilterSet(FilterSet):
    rol = django_filters.ChoiceFilter(choices=Rol.choices)

    class Meta:
        model = User
        fields = ["rol", "is_active"]
