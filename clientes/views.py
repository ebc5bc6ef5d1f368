from rest_framework import viewsets

from accounts.permissions import (
    ADMIN,
    ADMIN_RECEPCION,
    ALL_ROLES,
    RoleAllowedMethodsMixin,
    RolePermission,
    crud_roles,
    is_cliente,
)

from . import services
from .filters import ClienteFilterSet
from .selectors import cliente_list
from .serializers import ClientePropioSerializer, ClienteSerializer


class ClienteViewSet(RoleAllowedMethodsMixin, viewsets.ModelViewSet):
    """Pet owners. A `cliente` user sees and edits only its own record."""

    permission_classes = [RolePermission]
    action_roles = crud_roles(
        read=ALL_ROLES, create=ADMIN_RECEPCION, update=ADMIN_RECEPCION | {"cliente"}, destroy=ADMIN
    )
    filterset_class = ClienteFilterSet
    search_fields = ["nombre", "apellidos", "documento", "email", "telefono"]
    ordering_fields = ["apellidos", "nombre", "creado_en"]
    ordering = ["apellidos", "nombre", "id"]

    def get_queryset(self):
        return cliente_list(user=self.request.user)

    def get_serializer_class(self):
        if is_cliente(self.request.user):
            return ClientePropioSerializer
        return ClienteSerializer

    def perform_create(self, serializer):
        cliente = services.cliente_create(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=cliente.pk)

    def perform_update(self, serializer):
        fields = services.OWNER_EDITABLE_FIELDS if is_cliente(self.request.user) else services.STAFF_EDITABLE_FIELDS
        services.cliente_update(
            actor=self.request.user, cliente=serializer.instance, data=serializer.validated_data, fields=fields
        )

    def perform_destroy(self, instance):
        services.cliente_delete(actor=self.request.user, cliente=instance)
