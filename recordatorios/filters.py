import django_filters

from api.filters import FilterSet, IsoDateTimeFilter
from clientes.filters import clientes_visibles
from clientes.models import CanalPreferido
from sedes.filters import sedes_visibles

from .models import EstadoMensaje, Mensaje, Plantilla, TipoRecordatorio


class MensajeFilterSet(FilterSet):
    """`desde`/`hasta`: messages created in [desde, hasta)."""

    canal = django_filters.ChoiceFilter(choices=CanalPreferido.choices)
    estado = django_filters.ChoiceFilter(choices=EstadoMensaje.choices)
    cliente = django_filters.ModelChoiceFilter(queryset=clientes_visibles)
    desde = IsoDateTimeFilter(field_name="creado_en", lookup_expr="gte")
    hasta = IsoDateTimeFilter(field_name="creado_en", lookup_expr="lt")

    class Meta:
        model = Mensaje
        fields = ["canal", "estado", "cliente"]


class PlantillaFilterSet(FilterSet):
    tipo = django_filters.ChoiceFilter(choices=TipoRecordatorio.choices)
    canal = django_filters.ChoiceFilter(choices=CanalPreferido.choices)
    sede = django_filters.ModelChoiceFilter(queryset=sedes_visibles)

    class Meta:
        model = Plantilla
        fields = ["tipo", "canal", "idioma", "sede", "activo"]
