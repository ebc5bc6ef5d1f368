import django_filters

from accounts.permissions import scope_to_owner
from api.filters import FilterSet

from .models import Cliente


def clientes_visibles(request):
    """Choices of a `cliente` filter, scoped like the lists: for a `cliente` user another
    owner's id is as unknown (400) as a missing one, so a filter never reveals that it exists."""
    if request is None:
        return Cliente.objects.none()
    return scope_to_owner(Cliente.objects.all(), request.user, owner_path="usuario")


class ClienteFilterSet(FilterSet):
    ciudad = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Cliente
        fields = ["activo", "ciudad"]
