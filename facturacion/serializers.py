from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import DateField, ModelSerializer, PrimaryKeyRelatedField
from clientes.models import Cliente
from pacientes.models import Paciente
from sedes.filters import sedes_de_trabajo
from sedes.models import Sede

from .arithmetic import desglose
from .models import Factura, Impuesto, MetodoPago, Pago, Presupuesto, Producto
from .services import IMPUESTO_FIELDS, PRODUCTO_FIELDS

IMPORTE = {"max_digits": 12, "decimal_places": 2}
# A sum over many invoices (the resumen) outgrows one invoice's digits.
SUMA = {"max_digits": 20, "decimal_places": 2}
CERO = Decimal("0")
CIEN = Decimal("100")


class ImpuestoSerializer(ModelSerializer):
    """A tax rate lines are charged at (e.g. IVA 21%)."""

    class Meta:
        model = Impuesto
        fields = ["id", *IMPUESTO_FIELDS, "creado_en", "actualizado_en"]
        read_only_fields = ["id", "creado_en", "actualizado_en"]


class ProductoSerializer(ModelSerializer):
    """A service, product or medicine of the catalogue, priced without tax."""

    class Meta:
        model = Producto
        fields = ["id", *PRODUCTO_FIELDS, "creado_en", "actualizado_en"]
        read_only_fields = ["id", "creado_en", "actualizado_en"]


class LineaSerializer(serializers.Serializer):
    """A line as the API shows it: what was sold and its amounts (rounded half-up)."""

    id = serializers.IntegerField()
    producto = serializers.IntegerField(source="producto_id", allow_null=True)
    descripcion = serializers.CharField()
    cantidad = serializers.DecimalField(max_digits=12, decimal_places=3)
    precio_unitario = serializers.DecimalField(**IMPORTE)
    descuento_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    impuesto = serializers.IntegerField(source="impuesto_id")
    porcentaje = serializers.DecimalField(max_digits=5, decimal_places=2)
    base = serializers.DecimalField(**IMPORTE)
    cuota = serializers.DecimalField(**IMPORTE)
    total = serializers.DecimalField(**IMPORTE)


class LineaInputSerializer(serializers.Serializer):
    """A line a caller writes: the producto gives the defaults of descripcion, precio_unitario
    and impuesto."""

    producto = PrimaryKeyRelatedField(
        queryset=Producto.objects.select_related("impuesto"), required=False, allow_null=True
    )
    descripcion = serializers.CharField(max_length=255, required=False, allow_blank=True)
    cantidad = serializers.DecimalField(max_digits=12, decimal_places=3)
    precio_unitario = serializers.DecimalField(**IMPORTE, min_value=CERO, required=False, allow_null=True)
    descuento_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=CERO, max_value=CIEN, required=False, default=CERO
    )
    impuesto = PrimaryKeyRelatedField(queryset=Impuesto.objects.all(), required=False, allow_null=True)


class DesgloseSerializer(serializers.Serializer):
    """The sums of the lines charged at one impuesto."""

    impuesto = serializers.IntegerField()
    porcentaje = serializers.DecimalField(max_digits=5, decimal_places=2)
    base = serializers.DecimalField(**IMPORTE)
    cuota = serializers.DecimalField(**IMPORTE)


class DocumentoSerializer(ModelSerializer):
    lineas = LineaSerializer(many=True, read_only=True)
    desglose_impuestos = serializers.SerializerMethodField()
    cliente_nombre = serializers.CharField(source="cliente.nombre_completo", read_only=True)
    moneda = serializers.SerializerMethodField()

    @extend_schema_field(DesgloseSerializer(many=True))
    def get_desglose_impuestos(self, obj):
        return DesgloseSerializer(desglose(obj.lineas.all()), many=True).data

    def get_moneda(self, obj) -> str:
        return settings.MONEDA


class FacturaSerializer(DocumentoSerializer):
    """An invoice (or a rectificativa, serie R): numbered, dated and chained when emitted,
    immutable from then on."""

    pendiente = serializers.DecimalField(**IMPORTE, read_only=True)

    class Meta:
        model = Factura
        fields = [
            "id",
            "sede",
            "serie",
            "numero",
            "codigo",
            "cliente",
            "cliente_nombre",
            "paciente",
            "fecha",
            "estado",
            "lineas",
            "base_imponible",
            "total_impuestos",
            "total",
            "desglose_impuestos",
            "pagado",
            "pendiente",
            "moneda",
            "rectifica",
            "notas",
            "hash",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


class DocumentoInputSerializer(ModelSerializer):
    sede = PrimaryKeyRelatedField(queryset=Sede.objects.all(), required=False, allow_null=True)
    cliente = PrimaryKeyRelatedField(queryset=Cliente.objects.all())
    paciente = PrimaryKeyRelatedField(queryset=Paciente.objects.all(), required=False, allow_null=True)
    lineas = LineaInputSerializer(many=True, required=False)


class FacturaInputSerializer(DocumentoInputSerializer):
    """What a caller sends to write a borrador; `lineas` replaces every line."""

    class Meta:
        model = Factura
        fields = ["sede", "cliente", "paciente", "notas", "lineas"]


class PresupuestoSerializer(DocumentoSerializer):
    """An estimate: lines and totals as an invoice's, that may become a factura borrador."""

    class Meta:
        model = Presupuesto
        fields = [
            "id",
            "sede",
            "cliente",
            "cliente_nombre",
            "paciente",
            "estado",
            "valido_hasta",
            "lineas",
            "base_imponible",
            "total_impuestos",
            "total",
            "desglose_impuestos",
            "moneda",
            "factura",
            "notas",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


class PresupuestoInputSerializer(DocumentoInputSerializer):
    valido_hasta = DateField(required=False, allow_null=True)

    class Meta:
        model = Presupuesto
        fields = ["sede", "cliente", "paciente", "notas", "valido_hasta", "lineas"]


class PagoSerializer(ModelSerializer):
    """A payment of an emitted invoice; never edited (an admin may delete it)."""

    class Meta:
        model = Pago
        fields = [
            "id",
            "factura",
            "fecha",
            "importe",
            "metodo",
            "referencia",
            "creado_por",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


class PagoInputSerializer(ModelSerializer):
    factura = PrimaryKeyRelatedField(queryset=Factura.objects.all())
    fecha = DateField(required=False)
    importe = serializers.DecimalField(**IMPORTE, min_value=Decimal("0.01"))
    metodo = serializers.ChoiceField(choices=MetodoPago.choices, default=MetodoPago.EFECTIVO)

    class Meta:
        model = Pago
        fields = ["factura", "fecha", "importe", "metodo", "referencia"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A factura outside the caller's sedes is as unknown as a missing one (400 does_not_exist).
            self.fields["factura"].queryset = Factura.objects.visible_to(request.user)


class VerificarCadenaQuerySerializer(serializers.Serializer):
    sede = PrimaryKeyRelatedField(queryset=Sede.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sede"].queryset = sedes_de_trabajo(self.context.get("request"))


class ResumenQuerySerializer(serializers.Serializer):
    """`desde`/`hasta`: the invoices' local fecha, both ends included; `sede`: one of the caller's."""

    desde = DateField(required=False)
    hasta = DateField(required=False)
    sede = PrimaryKeyRelatedField(queryset=Sede.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sede"].queryset = sedes_de_trabajo(self.context.get("request"))


class VerificarCadenaSerializer(serializers.Serializer):
    """Whether a sede's chain of emitted invoices is intact, and the first broken link."""

    valida = serializers.BooleanField()
    primera_rota = serializers.IntegerField(allow_null=True, help_text=_("La primera factura cuyo hash no cuadra."))


class ResumenImpuestoSerializer(serializers.Serializer):
    impuesto = serializers.IntegerField()
    nombre = serializers.CharField()
    porcentaje = serializers.DecimalField(max_digits=5, decimal_places=2)
    base = serializers.DecimalField(**SUMA)
    cuota = serializers.DecimalField(**SUMA)
    total = serializers.DecimalField(**SUMA)


class ResumenMetodoSerializer(serializers.Serializer):
    metodo = serializers.ChoiceField(choices=MetodoPago.choices)
    importe = serializers.DecimalField(**SUMA)


class ResumenSerializer(serializers.Serializer):
    """Totals of the emitted invoices of a period per impuesto, and their payments per method."""

    num_facturas = serializers.IntegerField()
    base_imponible = serializers.DecimalField(**SUMA)
    total_impuestos = serializers.DecimalField(**SUMA)
    total = serializers.DecimalField(**SUMA)
    por_impuesto = ResumenImpuestoSerializer(many=True)
    por_metodo = ResumenMetodoSerializer(many=True)
