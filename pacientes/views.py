from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

from accounts.permissions import (
    ADMIN,
    ADMIN_RECEPCION,
    ALL_ROLES,
    STAFF,
    crud_roles,
)
from api.filters import OrderingFilter, UpdatedSinceFilter
from api.viewsets import ListViewSet, ModelViewSet
from clientes.selectors import cliente_list
from core.exceptions import TIENE_HISTORIAL

from . import services
from .filters import PacienteFilterSet, PacienteSearchFilter
from .selectors import paciente_list
from .serializers import PacienteSerializer

PACIENTE_SEARCH_FIELDS = [
    "nombre",
    "microchip",
    "propietario__nombre",
    "propietario__apellidos",
    "propietario__documento",
]


# The default backends, with the paciente search answered through the trigram indexes.
PACIENTE_FILTER_BACKENDS = [DjangoFilterBackend, PacienteSearchFilter, OrderingFilter, UpdatedSinceFilter]


@extend_validation_errors(
    ["required", "paciente_no_fallecido", "fallecimiento_antes_de_nacimiento"],
    field_name="fecha_fallecimiento",
    actions=["create", "update", "partial_update"],
)
@extend_validation_errors(["unique"], field_name="microchip", actions=["create", "update", "partial_update"])
@extend_validation_errors(["peso_de_consulta"], field_name="peso_kg", actions=["update", "partial_update"])
class PacienteViewSet(ModelViewSet):
    """Patients. A `cliente` user sees only its own animals (others answer 404)."""

    serializer_class = PacienteSerializer
    selector = staticmethod(paciente_list)
    action_roles = crud_roles(read=ALL_ROLES, create=ADMIN_RECEPCION, update=STAFF, destroy=ADMIN)
    filterset_class = PacienteFilterSet
    search_fields = PACIENTE_SEARCH_FIELDS
    filter_backends = PACIENTE_FILTER_BACKENDS
    ordering_fields = ["nombre", "creado_en", "fecha_nacimiento"]
    ordering = ["nombre", "id"]
    conflict_codes = {"destroy": [TIENE_HISTORIAL]}

    def create_object(self, data):
        return services.paciente_create(actor=self.request.user, **data)

    def update_object(self, paciente, data):
        return services.paciente_update(actor=self.request.user, paciente=paciente, data=data)

    def delete_object(self, paciente):
        services.paciente_delete(actor=self.request.user, paciente=paciente)


@extend_schema_view(list=extend_schema(summary="List a client's patients"))
@extend_schema(parameters=[OpenApiParameter("cliente_pk", OpenApiTypes.INT, OpenApiParameter.PATH)])
class ClientePacientesViewSet(ListViewSet):
    """`GET /clientes/{id}/pacientes/`: one client's pacientes, for whoever may see that client."""

    serializer_class = PacienteSerializer
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
