import django_filters
from django import forms

from accounts.filters import VeterinarioFilter
from api.filters import FilterSet, IsoDateFilter, IsoDateTimeFilter
from clientes.filters import clientes_visibles
from pacientes.filters import pacientes_visibles
from sedes.filters import sedes_visibles
from sedes.selectors import en_fechas_locales

from .models import Bloqueo, Cita, EstadoCita, HorarioAtencion


class CommaSeparatedMultipleChoiceField(forms.MultipleChoiceField):
    """Accepts `?estado=a&estado=b` and `?estado=a,b` alike; unknown values are a 400."""

    def to_python(self, value):
        return [part.strip() for item in super().to_python(value) for part in item.split(",") if part.strip()]


class EstadoFilter(django_filters.MultipleChoiceFilter):
    field_class = CommaSeparatedMultipleChoiceField


class CitaFilterSet(FilterSet):
    sede = django_filters.ModelChoiceFilter(queryset=sedes_visibles)
    fecha = IsoDateFilter(method="filter_fecha", label="fecha local de inicio (en la zona de la sede de cada cita)")
    desde = IsoDateTimeFilter(field_name="inicio", lookup_expr="gte")
    hasta = IsoDateTimeFilter(field_name="inicio", lookup_expr="lt")
    paciente = django_filters.ModelChoiceFilter(queryset=pacientes_visibles)
    cliente = django_filters.ModelChoiceFilter(field_name="paciente__propietario", queryset=clientes_visibles)
    estado = EstadoFilter(choices=EstadoCita.choices)
    veterinario = VeterinarioFilter()

    class Meta:
        model = Cita
        fields = ["sede", "veterinario", "paciente", "cliente"]

    def filter_fecha(self, queryset, name, value):
        return queryset.filter(en_fechas_locales("inicio", desde=value, hasta=value))


class BloqueoFilterSet(FilterSet):
    """`desde`/`hasta` select the bloqueos that overlap the range."""

    desde = IsoDateTimeFilter(field_name="fin", lookup_expr="gt")
    hasta = IsoDateTimeFilter(field_name="inicio", lookup_expr="lt")
    veterinario = VeterinarioFilter()

    class Meta:
        model = Bloqueo
        fields = ["veterinario"]


class HorarioFilterSet(FilterSet):
    veterinario = VeterinarioFilter()
    sede = django_filters.ModelChoiceFilter(queryset=sedes_visibles)

    class Meta:
        model = HorarioAtencion
        fields = ["veterinario", "sede", "dia_semana"]
