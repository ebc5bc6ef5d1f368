from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

from accounts.permissions import ADMIN, ALL_ROLES, crud_roles
from api.viewsets import ModelViewSet
from core.exceptions import TIENE_HISTORIAL

from . import services
from .filters import SedeFilterSet
from .selectors import sede_list
from .serializers import SedeSerializer


@extend_validation_errors(["unique"], field_name="nombre", actions=["create", "update", "partial_update"])
@extend_validation_errors(
    ["unique", "codigo_invalido"], field_name="codigo", actions=["create", "update", "partial_update"]
)
@extend_validation_errors(
    ["zona_horaria_invalida"], field_name="zona_horaria", actions=["create", "update", "partial_update"]
)
class SedeViewSet(ModelViewSet):
    """The clinics of the organisation. Staff read all of them, an owner those that are active
    and take online bookings; only an admin writes."""

    serializer_class = SedeSerializer
    selector = staticmethod(sede_list)
    action_roles = crud_roles(read=ALL_ROLES, create=ADMIN, update=ADMIN, destroy=ADMIN)
    filterset_class = SedeFilterSet
    search_fields = ["nombre"]
    ordering_fields = ["nombre", "codigo", "creado_en"]
    ordering = ["nombre", "id"]
    conflict_codes = {"destroy": [TIENE_HISTORIAL]}

    def create_object(self, data):
        return services.sede_create(actor=self.request.user, **data)

    def update_object(self, sede, data):
        return services.sede_update(actor=self.request.user, sede=sede, data=data)

    def delete_object(self, sede):
        services.sede_delete(actor=self.request.user, sede=sede)
