import datetime

import django_filters

from accounts.filters import VeterinarioFilter
from accounts.permissions import scope_to_owner
from api.filters import FilterSet, IsoDateFilter, SearchFilter, StrictBooleanFilter
from clientes.filters import clientes_visibles
from core.dates import start_of_local_day

from .models import Consulta, Paciente, Vacuna
from .selectors import PACIENTE_OWNER, paciente_search, vacunas_vencidas


def pacientes_visibles(request):
    """Choices of a `paciente` filter, scoped like the lists (see `clientes_visibles`)."""
    if request is None:
        return Paciente.objects.none()
    return scope_to_owner(Paciente.objects.all(), request.user, owner_path=PACIENTE_OWNER)


class PacienteFilterSet(FilterSet):
    propietario = django_filters.ModelChoiceFilter(queryset=clientes_visibles)

    class Meta:
        model = Paciente
        fields = ["especie", "sexo", "propietario", "fallecido", "activo"]


class ConsultaFilterSet(FilterSet):
    desde = IsoDateFilter(method="filter_desde", label="desde (fecha local, incluida)")
    hasta = IsoDateFilter(method="filter_hasta", label="hasta (fecha local, incluida)")
    paciente = django_filters.ModelChoiceFilter(queryset=pacientes_visibles)
    veterinario = VeterinarioFilter()

    class Meta:
        model = Consulta
        fields = ["paciente", "veterinario"]

    def filter_desde(self, queryset, name, value):
        return queryset.filter(fecha__gte=start_of_local_day(value))

    def filter_hasta(self, queryset, name, value):
        return queryset.filter(fecha__lt=start_of_local_day(value + datetime.timedelta(days=1)))


class VacunaFilterSet(FilterSet):
    proxima_dosis_hasta = IsoDateFilter(field_name="proxima_dosis", lookup_expr="lte")
    vencidas = StrictBooleanFilter(
        method="filter_vencidas", label="vencidas (próxima dosis pasada y no sustituida por otra aplicación)"
    )
    paciente = django_filters.ModelChoiceFilter(queryset=pacientes_visibles)

    class Meta:
        model = Vacuna
        fields = ["paciente"]

    def filter_vencidas(self, queryset, name, value):
        overdue = vacunas_vencidas(queryset)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class PacienteSearchFilter(SearchFilter):
    """`?search=` over the view's `search_fields`, answered by `paciente_search`
    (the same matches as SearchFilter, through the trigram indexes)."""

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        if not terms or not self.get_search_fields(view, request):
            return queryset
        return paciente_search(queryset, terms)
