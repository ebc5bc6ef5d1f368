from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import ADMIN, ALL_ROLES, STAFF, crud_roles
from api.pagination import PageNumberPagination
from api.viewsets import ListViewSet, ModelViewSet, ScopedViewSetMixin
from clientes.models import CanalPreferido

from . import services
from .filters import MensajeFilterSet, PlantillaFilterSet
from .models import ASUNTO_SOLO_EMAIL
from .permissions import FirmaDeProveedor
from .selectors import mensaje_list, plantilla_list, recordatorio_list
from .serializers import (
    MensajeEstadoRespuestaSerializer,
    MensajeEstadoSerializer,
    MensajeSerializer,
    PlantillaSerializer,
    RecordatorioQuerySerializer,
    RecordatorioSerializer,
)


@extend_validation_errors(["rango_invertido", "ventana_excesiva"], field_name="hasta", actions=["list"])
class RecordatorioViewSet(ListViewSet):
    """What owners should be reminded of: vaccine doses falling due and upcoming citas,
    ordered by fecha then tipo. Owners see their own."""

    serializer_class = RecordatorioSerializer
    action_roles = {"list": ALL_ROLES}
    filter_backends = []
    query_serializer_class = RecordatorioQuerySerializer
    # Page mode only: the rows are computed (a UNION of two kinds), with no id to keep a cursor on.
    pagination_class = PageNumberPagination

    def get_queryset(self):
        query = self.query_serializer_class(data=self.request.query_params, context={"request": self.request})
        query.is_valid(raise_exception=True)
        return recordatorio_list(user=self.request.user, **query.validated_data)

    @extend_schema(summary="List reminders due", parameters=[RecordatorioQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_validation_errors(
    ["variable_desconocida", "plantilla_invalida", "max_length"],
    field_name="cuerpo",
    actions=["create", "update", "partial_update"],
)
@extend_validation_errors(
    ["variable_desconocida", "plantilla_invalida", ASUNTO_SOLO_EMAIL],
    field_name="asunto",
    actions=["create", "update", "partial_update"],
)
@extend_validation_errors(["unique"], field_name="non_field_errors", actions=["create", "update", "partial_update"])
class PlantillaViewSet(ModelViewSet):
    """The texts reminders go out with, per tipo × canal × idioma and sede (null: every sede).
    The most specific active one wins; built-in defaults cover the rest. Staff read, an admin writes."""

    serializer_class = PlantillaSerializer
    selector = staticmethod(plantilla_list)
    action_roles = crud_roles(read=STAFF, create=ADMIN, update=ADMIN, destroy=ADMIN)
    filterset_class = PlantillaFilterSet
    ordering_fields = ["tipo", "canal", "idioma", "creado_en"]
    ordering = ["tipo", "canal", "idioma", "id"]

    def create_object(self, data):
        return services.plantilla_create(actor=self.request.user, **data)

    def update_object(self, plantilla, data):
        return services.plantilla_update(actor=self.request.user, plantilla=plantilla, data=data)

    def delete_object(self, plantilla):
        services.plantilla_delete(actor=self.request.user, plantilla=plantilla)


class MensajeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The log of reminder messages on every channel (read-only, staff), and the providers'
    signed status callback."""

    serializer_class = MensajeSerializer
    selector = staticmethod(mensaje_list)
    action_roles = crud_roles(read=STAFF)
    filterset_class = MensajeFilterSet
    ordering_fields = ["creado_en", "enviado_en"]
    ordering = ["-creado_en", "-id"]

    @extend_schema(
        summary="Report a message's delivery status (provider callback)",
        description=(
            "No authentication: the body is signed. Header `X-VetClinic-Signature: t=<unix>,v1=<hex>` "
            "with `v1` = HMAC-SHA256(MENSAJES_CALLBACK_SECRET, `<t>.<body>`); a bad signature, or `t` "
            "more than 5 minutes away, is 403."
        ),
        parameters=[
            OpenApiParameter("canal", str, OpenApiParameter.PATH, enum=CanalPreferido.values),
            OpenApiParameter("X-VetClinic-Signature", str, OpenApiParameter.HEADER, required=True),
        ],
        request=MensajeEstadoSerializer,
        responses={200: MensajeEstadoRespuestaSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=r"estado/(?P<canal>[a-z]+)",
        authentication_classes=[],
        permission_classes=[FirmaDeProveedor],
    )
    def estado(self, request, canal=None):
        if canal not in CanalPreferido.values:
            raise exceptions.NotFound()
        datos = MensajeEstadoSerializer(data=request.data)
        datos.is_valid(raise_exception=True)
        mensajes = services.mensaje_estado(
            canal=canal,
            proveedor_id=datos.validated_data["id"],
            estado=datos.validated_data["estado"],
            error=datos.validated_data["error"],
        )
        if not mensajes:
            raise exceptions.NotFound(_("Ningún mensaje tiene ese id del proveedor."))
        return Response({"actualizados": len(mensajes)})
