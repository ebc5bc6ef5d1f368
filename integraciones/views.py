from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import ADMIN, crud_roles
from api.pagination import CursorFirstPagination
from api.viewsets import ListViewSet, ModelViewSet

from . import services
from .filters import EventoFilterSet
from .selectors import entrega_list, evento_list, integracion_list, webhook_list
from .serializers import (
    EntregaSerializer,
    EventoSerializer,
    IntegracionConClaveSerializer,
    IntegracionSerializer,
    WebhookConSecretoSerializer,
    WebhookSerializer,
)


class EventoViewSet(ListViewSet):
    """The event feed (outbox): every change, in commit order, cursor-paginated by `id` (page mode
    with `?paginacion=pagina`). A consumer stores the last `id` it saw and asks `?despues_de=ID`."""

    serializer_class = EventoSerializer
    selector = staticmethod(evento_list)
    action_roles = {"list": ADMIN}
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventoFilterSet
    pagination_class = CursorFirstPagination

    @extend_schema(summary="List events (the feed)")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_validation_errors(["url_no_permitida"], field_name="url", actions=["create", "update", "partial_update"])
@extend_validation_errors(["tipo_desconocido"], field_name="eventos", actions=["create", "update", "partial_update"])
# a key narrowed to sedes names one of them (integraciones.services._check_sede)
@extend_validation_errors(["required"], field_name="sede", actions=["create", "update", "partial_update"])
class WebhookViewSet(ModelViewSet):
    """Receivers of events, signed with their `secreto`."""

    serializer_class = WebhookSerializer
    selector = staticmethod(webhook_list)
    idempotency_secret_fields = ("secreto",)  # shown once: a replay has it null (api.idempotency)
    action_roles = crud_roles(
        read=ADMIN,
        create=ADMIN,
        update=ADMIN,
        destroy=ADMIN,
        rotar_secreto=ADMIN,
        probar=ADMIN,
        entregas=ADMIN,
        reenviar=ADMIN,
    )
    ordering_fields = ["creado_en"]
    ordering = ["id"]

    def get_serializer_class(self):
        if self.action in ("create", "rotar_secreto"):
            return WebhookConSecretoSerializer
        if self.action == "entregas":
            return EntregaSerializer
        return WebhookSerializer

    def get_create_serializer_class(self):
        return WebhookSerializer

    def create_object(self, data):
        return services.webhook_create(actor=self.request.user, **data)

    def update_object(self, webhook, data):
        return services.webhook_update(actor=self.request.user, webhook=webhook, data=data)

    def delete_object(self, webhook):
        services.webhook_delete(actor=self.request.user, webhook=webhook)

    @extend_schema(request=None, responses=WebhookConSecretoSerializer)
    @action(detail=True, methods=["post"], url_path="rotar-secreto", filter_backends=[])
    def rotar_secreto(self, request, pk=None):
        """Replace the webhook's secret (shown once, in this answer)."""
        webhook = services.webhook_rotar_secreto(actor=request.user, webhook=self.get_object())
        return Response(WebhookConSecretoSerializer(webhook, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={202: EntregaSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def probar(self, request, pk=None):
        """Send a ping event to the webhook now."""
        entrega = services.webhook_probar(actor=request.user, webhook=self.get_object())
        entrega.refresh_from_db()
        return Response(EntregaSerializer(entrega).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=EntregaSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def entregas(self, request, pk=None):
        """List the webhook's deliveries, newest first."""
        page = self.paginate_queryset(entrega_list(webhook=self.get_object()))
        return self.get_paginated_response(EntregaSerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: EntregaSerializer})
    @action(
        detail=True, methods=["post"], url_path=r"entregas/(?P<entrega_id>[0-9]{1,18})/reenviar", filter_backends=[]
    )
    def reenviar(self, request, pk=None, entrega_id=None):
        """Queue a delivery again."""
        entrega = get_object_or_404(entrega_list(webhook=self.get_object()), pk=entrega_id)
        entrega = services.entrega_reenviar(actor=request.user, entrega=entrega)
        entrega.refresh_from_db()
        return Response(EntregaSerializer(entrega).data, status=status.HTTP_202_ACCEPTED)


@extend_validation_errors(
    ["permiso_desconocido"], field_name="permisos", actions=["create", "update", "partial_update"]
)
class IntegracionViewSet(ModelViewSet):
    """Integration keys: what an outside system may reach with `Authorization: Api-Key <clave>`."""

    serializer_class = IntegracionSerializer
    selector = staticmethod(integracion_list)
    idempotency_secret_fields = ("clave",)  # shown once: a replay has it null (api.idempotency)
    action_roles = crud_roles(read=ADMIN, create=ADMIN, update=ADMIN, destroy=ADMIN, rotar_clave=ADMIN)
    ordering_fields = ["nombre", "creado_en"]
    ordering = ["id"]
    search_fields = ["nombre"]

    def get_serializer_class(self):
        if self.action in ("create", "rotar_clave"):
            return IntegracionConClaveSerializer
        return IntegracionSerializer

    def get_create_serializer_class(self):
        return IntegracionSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._con_clave(
            lambda: services.integracion_create(actor=request.user, **serializer.validated_data),
            status.HTTP_201_CREATED,
        )

    def update_object(self, integracion, data):
        return services.integracion_update(actor=self.request.user, integracion=integracion, data=data)

    def delete_object(self, integracion):
        services.integracion_delete(actor=self.request.user, integracion=integracion)

    @extend_schema(request=None, responses=IntegracionConClaveSerializer)
    @action(detail=True, methods=["post"], url_path="rotar-clave", filter_backends=[])
    def rotar_clave(self, request, pk=None):
        """Replace the integration's key (shown once, in this answer); the old one stops working."""
        integracion = self.get_object()
        return self._con_clave(
            lambda: (integracion, services.integracion_rotar_clave(actor=request.user, integracion=integracion)),
            status.HTTP_200_OK,
        )

    def _con_clave(self, write, code):
        """Answers (integracion, clave) as `write` returns them, the integration read again in the
        write's transaction (api.viewsets.ModelViewSet.written)."""
        claves = []

        def run():
            integracion, clave = write()
            claves.append(clave)
            return integracion

        integracion = self.written(run)
        integracion.clave = claves[-1]
        return Response(
            IntegracionConClaveSerializer(integracion, context=self.get_serializer_context()).data, status=code
        )
