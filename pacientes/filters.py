import django_filters

from api.filters import FilterSet, SearchFilter
from clientes.filters import clientes_visibles

from .models import Paciente
from .selectors import paciente_search


def pacientes_visibles(request):
    """Choices of a `paciente` filter, scoped like the lists (see `clientes_visibles`)."""
    if request is None:
        return Paciente.objects.none()
    return Paciente.objects.visible_to(request.user)


class PacienteFilterSet(FilterSet):
    propietario = django_filters.ModelChoiceFilter(queryset=clientes_visibles)

    class Meta:
        model = Paciente
        fields = ["especie", "sexo", "propietario", "fallecido", "activo"]


class PacienteSearchFilter(SearchFilter):
    """`?search=` over the view's `search_fields`, answered by `paciente_search`
    (the same matches as SearchFilter, through the trigram indexes)."""

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        if not terms or not self.get_search_fields(view, request):
            return queryset
        return paciente_search(queryset, terms)
