import django_filters

from api.filters import FilterSet, IntegerFilter
from sedes.filters import sedes_visibles

from .models import Evento, TipoEvento


class EventoFilterSet(FilterSet):
    despues_de = IntegerFilter(field_name="id", lookup_expr="gt", min_value=0)
    tipo = django_filters.MultipleChoiceFilter(choices=TipoEvento.choices)
    sede = django_filters.ModelChoiceFilter(queryset=sedes_visibles)

    class Meta:
        model = Evento
        fields = ["despues_de", "tipo", "sede"]
