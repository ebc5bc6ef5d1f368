from django_filters.rest_framework import DjangoFilterBackend
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

from accounts.permissions import (
    ADMIN,
    ADMIN_RECEPCION,
    ALL_ROLES,
    crud_roles,
    is_cliente,
)
from api.filters import OrderingFilter, UpdatedSinceFilter
from api.viewsets import ModelViewSet
from core.exceptions import TIENE_HISTORIAL

from . import services
from .filters import ClienteFilterSet, ClienteSearchFilter
from .selectors import SEARCH_FIELDS, cliente_list
from .serializers import ClientePropioUpdateSerializer, ClienteSerializer


@extend_validation_errors(["unique"], field_name="documento", actions=["create", "update", "partial_update"])
@extend_validation_errors(["movil_invalido"], field_name="movil", actions=["create", "update", "partial_update"])
class ClienteViewSet(ModelViewSet):
    """Pet owners. A `cliente` user sees and edits only its own record."""

    serializer_class = ClienteSerializer
    selector = staticmethod(cliente_list)
    action_roles = crud_roles(
        read=ALL_ROLES, create=ADMIN_RECEPCION, update=ADMIN_RECEPCION | {"cliente"}, destroy=ADMIN
    )
    filterset_class = ClienteFilterSet
    search_fields = list(SEARCH_FIELDS)
    # The default backends, with the search that also finds a phone however it is typed.
    filter_backends = [DjangoFilterBackend, ClienteSearchFilter, OrderingFilter, UpdatedSinceFilter]
    ordering_fields = ["apellidos", "nombre", "creado_en"]
    ordering = ["apellidos", "nombre", "id"]
    conflict_codes = {"destroy": [TIENE_HISTORIAL]}

    def get_update_serializer_class(self):
        return ClientePropioUpdateSerializer if is_cliente(self.request.user) else ClienteSerializer

    def create_object(self, data):
        return services.cliente_create(actor=self.request.user, **data)

    def update_object(self, cliente, data):
        fields = services.OWNER_EDITABLE_FIELDS if is_cliente(self.request.user) else services.STAFF_EDITABLE_FIELDS
        return services.cliente_update(actor=self.request.user, cliente=cliente, data=data, fields=fields)

    def delete_object(self, cliente):
        services.cliente_delete(actor=self.request.user, cliente=cliente)
