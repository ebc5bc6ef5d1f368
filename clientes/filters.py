import django_filters

from core.filters import FilterSet

from .models import Cliente


class ClienteFilterSet(FilterSet):
    ciudad = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Cliente
        fields = ["activo", "ciudad"]
