from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from accounts.models import Rol
from accounts.permissions import (
    ADMIN,
    ADMIN_RECEPCION,
    ADMIN_VETERINARIO,
    ALL_ROLES,
    STAFF,
    RoleAllowedMethodsMixin,
    RolePermission,
    crud_roles,
)
from clientes.selectors import cliente_list

from . import services
from .filters import ConsultaFilterSet, PacienteFilterSet, PacienteSearchFilter, VacunaFilterSet
from .selectors import consulta_list, paciente_historial, paciente_list, paciente_pesos, vacuna_list
from .serializers import (
    ConsultaAdminSerializer,
    ConsultaSerializer,
    HistorialSerializer,
    PacienteSerializer,
    PesoSerializer,
    VacunaSerializer,
)

PACIENTE_SEARCH_FIELDS = [
    "nombre",
    "microchip",
    "propietario__nombre",
    "propietario__apellidos",
    "propietario__documento",
]


# The default backends, with the paciente search answered through the trigram indexes.
PACIENTE_FILTER_BACKENDS = [DjangoFilterBackend, PacienteSearchFilter, OrderingFilter]


class PacienteViewSet(RoleAllowedMethodsMixin, viewsets.ModelViewSet):
    """Patients. A `cliente` user sees only its own animals (others answer 404)."""

    serializer_class = PacienteSerializer
    permission_classes = [RolePermission]
    action_roles = crud_roles(
        read=ALL_ROLES, create=ADMIN_RECEPCION, update=STAFF, destroy=ADMIN, historial=ALL_ROLES, pesos=ALL_ROLES
    )
    filterset_class = PacienteFilterSet
    search_fields = PACIENTE_SEARCH_FIELDS
    filter_backends = PACIENTE_FILTER_BACKENDS
    ordering_fields = ["nombre", "creado_en", "fecha_nacimiento"]
    ordering = ["nombre", "id"]

    def get_queryset(self):
        return paciente_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.paciente_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        services.paciente_update(actor=self.request.user, paciente=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.paciente_delete(actor=self.request.user, paciente=instance)

    @extend_schema(responses=HistorialSerializer, filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def historial(self, request, pk=None):
        """The patient with its consultas, vacunas and citas, each newest first (not paginated)."""
        historial = paciente_historial(paciente=self.get_object())
        return Response(HistorialSerializer(historial).data)

    @extend_schema(responses=PesoSerializer(many=True), filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def pesos(self, request, pk=None):
        """Weight over time, oldest first: one entry per consulta that recorded a weight."""
        return Response(PesoSerializer(paciente_pesos(paciente=self.get_object()), many=True).data)


@extend_schema(parameters=[OpenApiParameter("cliente_pk", OpenApiTypes.INT, OpenApiParameter.PATH)])
class ClientePacientesViewSet(RoleAllowedMethodsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """`GET /clientes/{id}/pacientes/`: one client's pacientes, for whoever may see that client."""

    serializer_class = PacienteSerializer
    permission_classes = [RolePermission]
    action_roles = {"list": ALL_ROLES}
    filterset_class = PacienteFilterSet
    search_fields = PACIENTE_SEARCH_FIELDS
    filter_backends = PACIENTE_FILTER_BACKENDS
    ordering_fields = ["nombre", "creado_en", "fecha_nacimiento"]
    ordering = ["nombre", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return paciente_list(user=self.request.user).none()
        cliente = get_object_or_404(cliente_list(user=self.request.user), pk=self.kwargs["cliente_pk"])
        return paciente_list(user=self.request.user).filter(propietario=cliente)


class ConsultaViewSet(RoleAllowedMethodsMixin, viewsets.ModelViewSet):
    """Clinical visits. Vets record and edit their own; recepción reads; owners read their animals'."""

    permission_classes = [RolePermission]
    action_roles = crud_roles(read=ALL_ROLES, create=ADMIN_VETERINARIO, update=ADMIN_VETERINARIO, destroy=ADMIN)
    filterset_class = ConsultaFilterSet
    ordering_fields = ["fecha", "creado_en"]
    ordering = ["-fecha", "-id"]

    def get_queryset(self):
        return consulta_list(user=self.request.user)

    def get_serializer_class(self):
        if getattr(self.request.user, "rol", None) == Rol.ADMIN:
            return ConsultaAdminSerializer
        return ConsultaSerializer

    def perform_create(self, serializer):
        serializer.instance = services.consulta_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        services.consulta_update(actor=self.request.user, consulta=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.consulta_delete(actor=self.request.user, consulta=instance)


class VacunaViewSet(RoleAllowedMethodsMixin, viewsets.ModelViewSet):
    """Applied vaccines and the date of the next dose."""

    serializer_class = VacunaSerializer
    permission_classes = [RolePermission]
    action_roles = crud_roles(read=ALL_ROLES, create=ADMIN_VETERINARIO, update=ADMIN_VETERINARIO, destroy=ADMIN)
    filterset_class = VacunaFilterSet
    search_fields = ["nombre", "lote", "paciente__nombre"]
    ordering_fields = ["fecha_aplicacion", "proxima_dosis"]
    ordering = ["-fecha_aplicacion", "-id"]

    def get_queryset(self):
        return vacuna_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.vacuna_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        services.vacuna_update(actor=self.request.user, vacuna=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.vacuna_delete(actor=self.request.user, vacuna=instance)
