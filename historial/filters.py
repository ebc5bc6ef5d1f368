import datetime

import django_filters

from accounts.filters import VeterinarioFilter
from api.filters import FilterSet, IsoDateFilter, StrictBooleanFilter
from core.dates import start_of_local_day
from pacientes.filters import pacientes_visibles

from .models import Consulta, Vacuna
from .selectors import vacunas_vencidas


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
