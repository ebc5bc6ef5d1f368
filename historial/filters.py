import django_filters

from accounts.filters import VeterinarioFilter
from api.filters import FilterSet, IsoDateFilter, StrictBooleanFilter
from pacientes.filters import pacientes_visibles
from sedes.filters import sedes_visibles
from sedes.selectors import en_fechas_locales

from .models import Consulta, Vacuna
from .selectors import vacunas_vencidas


class ConsultaFilterSet(FilterSet):
    desde = IsoDateFilter(method="filter_desde", label="desde (fecha local de la sede, incluida)")
    hasta = IsoDateFilter(method="filter_hasta", label="hasta (fecha local de la sede, incluida)")
    paciente = django_filters.ModelChoiceFilter(queryset=pacientes_visibles)
    veterinario = VeterinarioFilter()
    sede = django_filters.ModelChoiceFilter(queryset=sedes_visibles)

    class Meta:
        model = Consulta
        fields = ["paciente", "veterinario", "sede"]

    def filter_desde(self, queryset, name, value):
        return queryset.filter(en_fechas_locales("fecha", desde=value))

    def filter_hasta(self, queryset, name, value):
        return queryset.filter(en_fechas_locales("fecha", hasta=value))


class VacunaFilterSet(FilterSet):
    proxima_dosis_desde = IsoDateFilter(
        field_name="proxima_dosis", lookup_expr="gte", label="proxima_dosis_desde (fecha, incluida)"
    )
    proxima_dosis_hasta = IsoDateFilter(
        field_name="proxima_dosis", lookup_expr="lte", label="proxima_dosis_hasta (fecha, incluida)"
    )
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
