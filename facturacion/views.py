from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import ADMIN, ALL_ROLES, STAFF, crud_roles
from api.query_parameters import reject_unknown_parameters, serializer_parameters
from api.viewsets import ModelViewSet, ScopedViewSetMixin
from core.exceptions import OPERACION_CONCURRENTE, TIENE_REGISTROS_RELACIONADOS

from . import services
from .filters import FacturaFilterSet, ImpuestoFilterSet, PagoFilterSet, PresupuestoFilterSet, ProductoFilterSet
from .pdf import factura_pdf
from .selectors import (
    factura_list,
    factura_resumen,
    impuesto_list,
    pago_list,
    presupuesto_list,
    producto_list,
)
from .serializers import (
    FacturaInputSerializer,
    FacturaSerializer,
    ImpuestoSerializer,
    PagoInputSerializer,
    PagoSerializer,
    PresupuestoInputSerializer,
    PresupuestoSerializer,
    ProductoSerializer,
    ResumenQuerySerializer,
    ResumenSerializer,
    VerificarCadenaQuerySerializer,
    VerificarCadenaSerializer,
)

WRITES = ["create", "update", "partial_update"]
UPDATES = ["update", "partial_update"]
# On the list: the sum of its lines over what an amount holds.
LINEAS = ["required", "cantidad_invalida", services.IMPORTE_FUERA_DE_RANGO]
DOCUMENTO_ERRORS = [
    (["sede_no_permitida", "sede_inactiva"], "sede"),
    (["paciente_de_otro_cliente"], "paciente"),
    # A line's own amounts over what an amount holds are told on its cantidad.
    ([services.IMPORTE_FUERA_DE_RANGO, "cantidad_invalida", "max_digits"], "lineas.INDEX.cantidad"),
    ([services.PRODUCTO_INACTIVO, services.IMPUESTO_INACTIVO], "lineas.INDEX.producto"),
    (["required", services.IMPUESTO_INACTIVO], "lineas.INDEX.impuesto"),
    (["required"], "lineas.INDEX.descripcion"),
    (["required"], "lineas.INDEX.precio_unitario"),
]


def _documento_errors(cls):
    for codes, field in DOCUMENTO_ERRORS:
        cls = extend_validation_errors(codes, field_name=field, actions=WRITES)(cls)
    return extend_validation_errors(LINEAS, field_name="lineas", actions=WRITES)(cls)


class ImpuestoViewSet(ModelViewSet):
    """Tax rates (admin writes, staff reads)."""

    serializer_class = ImpuestoSerializer
    selector = staticmethod(impuesto_list)
    action_roles = crud_roles(read=STAFF, create=ADMIN, update=ADMIN, destroy=ADMIN)
    filterset_class = ImpuestoFilterSet
    ordering = ["nombre", "id"]
    conflict_codes = {"destroy": [TIENE_REGISTROS_RELACIONADOS]}

    def create_object(self, data):
        return services.impuesto_create(actor=self.request.user, **data)

    def update_object(self, impuesto, data):
        return services.impuesto_update(actor=self.request.user, impuesto=impuesto, data=data)

    def delete_object(self, impuesto):
        services.impuesto_delete(actor=self.request.user, impuesto=impuesto)


# The case-insensitive codigo (an expression's constraint, which DRF does not see).
@extend_validation_errors(["unique"], field_name="codigo", actions=WRITES)
class ProductoViewSet(ModelViewSet):
    """The catalogue of what a clinic charges for (admin writes, staff reads)."""

    serializer_class = ProductoSerializer
    selector = staticmethod(producto_list)
    action_roles = crud_roles(read=STAFF, create=ADMIN, update=ADMIN, destroy=ADMIN)
    filterset_class = ProductoFilterSet
    search_fields = ["codigo", "nombre"]
    ordering_fields = ["nombre", "codigo", "precio"]
    ordering = ["nombre", "id"]
    conflict_codes = {"destroy": [TIENE_REGISTROS_RELACIONADOS]}

    def create_object(self, data):
        return services.producto_create(actor=self.request.user, **data)

    def update_object(self, producto, data):
        return services.producto_update(actor=self.request.user, producto=producto, data=data)

    def delete_object(self, producto):
        services.producto_delete(actor=self.request.user, producto=producto)


@extend_validation_errors([services.FACTURA_VACIA], field_name="lineas", actions=["emitir"])
@_documento_errors
class FacturaViewSet(ModelViewSet):
    """Invoices. Staff of a sede write its borradores and emit them; an owner reads their own
    once emitted. Emitted invoices never change (409 factura_no_editable)."""

    serializer_class = FacturaSerializer
    create_serializer_class = FacturaInputSerializer
    update_serializer_class = FacturaInputSerializer
    selector = staticmethod(factura_list)
    action_roles = crud_roles(
        read=ALL_ROLES,
        create=STAFF,
        update=STAFF,
        destroy=ADMIN,
        emitir=STAFF,
        rectificar=STAFF,
        pdf=ALL_ROLES,
        verificar_cadena=STAFF,
        resumen=STAFF,
    )
    filterset_class = FacturaFilterSet
    search_fields = ["codigo", "cliente__nombre", "cliente__apellidos"]
    ordering_fields = ["fecha", "creado_en", "total", "codigo"]
    ordering = ["-creado_en", "-id"]
    conflict_codes = {
        **{name: [services.FACTURA_NO_EDITABLE] for name in UPDATES},
        "destroy": [services.FACTURA_NO_EDITABLE, TIENE_REGISTROS_RELACIONADOS],
        "emitir": [services.FACTURA_NO_EDITABLE, services.YA_RECTIFICADA, OPERACION_CONCURRENTE],
        "rectificar": [services.NO_RECTIFICABLE, services.YA_RECTIFICADA],
    }

    def create_object(self, data):
        return services.factura_create(actor=self.request.user, **data)

    def update_object(self, factura, data):
        return services.factura_update(actor=self.request.user, factura=factura, data=data)

    def delete_object(self, factura):
        services.factura_delete(actor=self.request.user, factura=factura)

    def lock_for_write(self, factura):
        # An emission locks the sede's chain before the factura (facturacion.services).
        if self.action == "emitir":
            services.lock_cadena(factura.sede)
        super().lock_for_write(factura)

    @extend_schema(summary="Emit an invoice", request=None, responses=FacturaSerializer)
    @action(detail=True, methods=["post"])
    def emitir(self, request, pk=None):
        factura = self.get_object()
        factura = self.written(lambda: services.factura_emitir(actor=request.user, factura=factura))
        return Response(self.get_serializer(factura).data)

    @extend_schema(
        summary="Create the rectifying invoice of an invoice", request=None, responses={201: FacturaSerializer}
    )
    @action(detail=True, methods=["post"])
    def rectificar(self, request, pk=None):
        factura = self.get_object()
        rectificativa = self.written(lambda: services.factura_rectificar(actor=request.user, factura=factura))
        return Response(self.get_serializer(rectificativa).data, status=201)

    @extend_schema(
        summary="Download an invoice as PDF",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        factura = self.get_object()
        response = HttpResponse(factura_pdf(factura), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{factura.codigo or f"borrador-{factura.pk}"}.pdf"'
        return response

    @extend_schema(
        summary="Verify a sede's invoice hash chain",
        parameters=[VerificarCadenaQuerySerializer],
        responses=VerificarCadenaSerializer,
        filters=False,
    )
    @action(
        detail=False,
        url_path="verificar-cadena",
        url_name="verificar-cadena",
        pagination_class=None,
        filter_backends=[],
    )
    def verificar_cadena(self, request):
        reject_unknown_parameters(request, serializer_parameters(VerificarCadenaQuerySerializer))
        query = VerificarCadenaQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        return Response(VerificarCadenaSerializer(services.verificar_cadena(sede=query.validated_data["sede"])).data)

    @extend_schema(
        summary="Summarise emitted invoices per tax rate and payment method",
        parameters=[ResumenQuerySerializer],
        responses=ResumenSerializer,
        filters=False,
    )
    @action(detail=False, pagination_class=None, filter_backends=[])
    def resumen(self, request):
        reject_unknown_parameters(request, serializer_parameters(ResumenQuerySerializer))
        query = ResumenQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        resumen = factura_resumen(user=request.user, **query.validated_data)
        return Response(ResumenSerializer(resumen).data)


@extend_validation_errors([services.IMPORTE_EXCEDE_PENDIENTE], field_name="importe", actions=["create"])
@extend_validation_errors([services.FACTURA_NO_EMITIDA], field_name="factura", actions=["create"])
@extend_validation_errors(
    [services.FECHA_FUTURA, services.PAGO_ANTERIOR_A_FACTURA], field_name="fecha", actions=["create"]
)
class PagoViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Payments of emitted invoices; never edited, an admin may delete one."""

    serializer_class = PagoSerializer
    selector = staticmethod(pago_list)
    action_roles = crud_roles(read=ALL_ROLES, create=STAFF, destroy=ADMIN)
    filterset_class = PagoFilterSet
    ordering_fields = ["fecha", "importe"]
    ordering = ["-fecha", "-id"]

    @extend_schema(summary="Record a payment", request=PagoInputSerializer, responses={201: PagoSerializer})
    def create(self, request, *args, **kwargs):
        body = PagoInputSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        pago = services.pago_create(actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=pago.pk)).data, status=201)

    def perform_destroy(self, pago):
        services.pago_delete(actor=self.request.user, pago=pago)


# Its lines become new lines of a factura: an inactive producto or impuesto is refused there too.
@extend_validation_errors(
    [services.PRODUCTO_INACTIVO, services.IMPUESTO_INACTIVO], field_name="lineas.INDEX.producto", actions=["facturar"]
)
@extend_validation_errors([services.IMPUESTO_INACTIVO], field_name="lineas.INDEX.impuesto", actions=["facturar"])
@_documento_errors
class PresupuestoViewSet(ModelViewSet):
    """Estimates: lines and totals like a borrador; `facturar` turns one into a factura borrador."""

    serializer_class = PresupuestoSerializer
    create_serializer_class = PresupuestoInputSerializer
    update_serializer_class = PresupuestoInputSerializer
    selector = staticmethod(presupuesto_list)
    action_roles = crud_roles(
        read=ALL_ROLES, create=STAFF, update=STAFF, destroy=ADMIN, aceptar=STAFF, rechazar=STAFF, facturar=STAFF
    )
    filterset_class = PresupuestoFilterSet
    ordering_fields = ["creado_en", "total"]
    ordering = ["-creado_en", "-id"]
    conflict_codes = {
        **{name: [services.FACTURA_NO_EDITABLE] for name in UPDATES},
        "destroy": [services.FACTURA_NO_EDITABLE, TIENE_REGISTROS_RELACIONADOS],
        "aceptar": [services.TRANSICION_INVALIDA],
        "rechazar": [services.TRANSICION_INVALIDA],
        "facturar": [services.TRANSICION_INVALIDA],
    }

    def create_object(self, data):
        return services.presupuesto_create(actor=self.request.user, **data)

    def update_object(self, presupuesto, data):
        return services.presupuesto_update(actor=self.request.user, presupuesto=presupuesto, data=data)

    def delete_object(self, presupuesto):
        services.presupuesto_delete(actor=self.request.user, presupuesto=presupuesto)

    def _transition(self, accion):
        presupuesto = self.get_object()
        presupuesto = self.written(
            lambda: services.presupuesto_transition(actor=self.request.user, presupuesto=presupuesto, accion=accion)
        )
        return Response(self.get_serializer(presupuesto).data)

    @extend_schema(summary="Accept an estimate", request=None, responses=PresupuestoSerializer)
    @action(detail=True, methods=["post"])
    def aceptar(self, request, pk=None):
        return self._transition("aceptar")

    @extend_schema(summary="Reject an estimate", request=None, responses=PresupuestoSerializer)
    @action(detail=True, methods=["post"])
    def rechazar(self, request, pk=None):
        return self._transition("rechazar")

    @extend_schema(summary="Invoice an estimate", request=None, responses={201: FacturaSerializer})
    @action(detail=True, methods=["post"])
    def facturar(self, request, pk=None):
        factura = services.presupuesto_facturar(actor=request.user, presupuesto=self.get_object())
        return Response(FacturaSerializer(factura_list(user=request.user).get(pk=factura.pk)).data, status=201)
