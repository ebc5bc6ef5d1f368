import django_filters

from api.filters import FilterSet, IsoDateFilter
from clientes.filters import clientes_visibles
from pacientes.filters import pacientes_visibles
from sedes.filters import sedes_visibles

from .models import EstadoFactura, EstadoPresupuesto, Factura, Impuesto, MetodoPago, Pago, Presupuesto, Producto


class ImpuestoFilterSet(FilterSet):
    class Meta:
        model = Impuesto
        fields = ["activo"]


class ProductoFilterSet(FilterSet):
    class Meta:
        model = Producto
        fields = ["tipo", "activo", "impuesto"]


class FacturaFilterSet(FilterSet):
    sede = django_filters.ModelChoiceFilter(queryset=sedes_visibles)
    cliente = django_filters.ModelChoiceFilter(queryset=clientes_visibles)
    paciente = django_filters.ModelChoiceFilter(queryset=pacientes_visibles)
    estado = django_filters.ChoiceFilter(choices=EstadoFactura.choices)
    desde = IsoDateFilter(field_name="fecha", lookup_expr="gte")
    hasta = IsoDateFilter(field_name="fecha", lookup_expr="lte")

    class Meta:
        model = Factura
        fields = ["sede", "cliente", "paciente", "estado", "serie"]


class PresupuestoFilterSet(FilterSet):
    sede = django_filters.ModelChoiceFilter(queryset=sedes_visibles)
    cliente = django_filters.ModelChoiceFilter(queryset=clientes_visibles)
    paciente = django_filters.ModelChoiceFilter(queryset=pacientes_visibles)
    estado = django_filters.ChoiceFilter(choices=EstadoPresupuesto.choices)

    class Meta:
        model = Presupuesto
        fields = ["sede", "cliente", "paciente", "estado"]


class PagoFilterSet(FilterSet):
    metodo = django_filters.ChoiceFilter(choices=MetodoPago.choices)
    desde = IsoDateFilter(field_name="fecha", lookup_expr="gte")
    hasta = IsoDateFilter(field_name="fecha", lookup_expr="lte")

    class Meta:
        model = Pago
        fields = ["factura", "metodo"]
