import django_filters

from api.filters import FilterSet

from .models import Cliente


def clientes_visibles(request):
    """Choices of a `cliente` filter, scoped like the lists: for a `cliente` user another
    owner's id is as unknown (400) as a missing one, so a filter never reveals that it exists."""
    if request is None:
        return Cliente.objects.none()
    return Cliente.objects.visible_to(request.user)


class ClienteFilterSet(FilterSet):
    ciudad = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Cliente
        fields = ["activo", "ciudad"]
