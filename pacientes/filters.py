import datetime

from django.utils import timezone

from core.filters import FilterSet, IsoDateFilter, StrictBooleanFilter

from .models import Consulta, Paciente, Vacuna
from .selectors import vacunas_vencidas


def start_of_local_day(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the clinic's zone (TIME_ZONE), as an aware date-time."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


class PacienteFilterSet(FilterSet):
    class Meta:
        model = Paciente
        fields = ["especie", "sexo", "propietario", "fallecido", "activo"]


class ConsultaFilterSet(FilterSet):
    desde = IsoDateFilter(method="filter_desde", label="desde (fecha local, incluida)")
    hasta = IsoDateFilter(method="filter_hasta", label="hasta (fecha local, incluida)")

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

    class Meta:
        model = Vacuna
        fields = ["paciente"]

    def filter_vencidas(self, queryset, name, value):
        overdue = vacunas_vencidas(queryset)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
