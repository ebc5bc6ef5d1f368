import django_filters

from .models import Rol, User


class UsuarioFilterSet(django_filters.FilterSet):
    rol = django_filters.ChoiceFilter(choices=Rol.choices)

    class Meta:
        model = User
        fields = ["rol", "is_active"]
