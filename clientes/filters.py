import django_filters

from api.filters import FilterSet, SearchFilter

from .models import Cliente
from .selectors import cliente_search


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


class ClienteSearchFilter(SearchFilter):
    """`?search=` answered by `cliente_search`: DRF's matches, plus a phone however it is typed."""

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        if not terms:
            return queryset
        return cliente_search(queryset, text=request.query_params.get(self.search_param, ""), terms=terms)
