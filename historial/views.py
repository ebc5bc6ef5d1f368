from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Rol
from accounts.permissions import (
    ADMIN,
    ADMIN_VETERINARIO,
    ALL_ROLES,
    crud_roles,
)
from api.viewsets import ModelViewSet
from core.exceptions import OPERACION_CONCURRENTE, TIENE_REGISTROS_RELACIONADOS
from core.validators import FECHA_FUTURA
from pacientes.views import PacienteViewSet

from . import services
from .filters import ConsultaFilterSet, VacunaFilterSet
from .selectors import consulta_list, paciente_historial, paciente_pesos, vacuna_list
from .serializers import (
    ConsultaAdminSerializer,
    ConsultaSerializer,
    HistorialSerializer,
    PesoSerializer,
    VacunaSerializer,
)


# The pacientes' viewset with the clinical record's two reads (`/pacientes/{id}/historial/` and
# `/pacientes/{id}/pesos/`). historial.api puts it in PacienteViewSet's place, as historial.admin
# extends the paciente's admin page: pacientes does not know its record. No docstring of its own:
# the schema describes the paciente operations with PacienteViewSet's.
class PacienteConHistorialViewSet(PacienteViewSet):
    action_roles = {**PacienteViewSet.action_roles, "historial": ALL_ROLES, "pesos": ALL_ROLES}

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


WRITES = ["create", "update", "partial_update"]


# The codes of the rules historial.services and the models check (400), for the OpenAPI schema.
@extend_validation_errors(["required", "veterinario_no_valido"], field_name="veterinario", actions=WRITES)
@extend_validation_errors(["cita_de_otro_paciente"], field_name="cita", actions=WRITES)
@extend_validation_errors([FECHA_FUTURA], field_name="fecha", actions=WRITES)
class ConsultaViewSet(ModelViewSet):
    """Clinical visits. Vets record and edit their own; recepción reads; owners read their animals'."""

    selector = staticmethod(consulta_list)
    action_roles = crud_roles(read=ALL_ROLES, create=ADMIN_VETERINARIO, update=ADMIN_VETERINARIO, destroy=ADMIN)
    filterset_class = ConsultaFilterSet
    ordering_fields = ["fecha", "creado_en"]
    ordering = ["-fecha", "-id"]
    conflict_codes = {
        **{action: [OPERACION_CONCURRENTE] for action in WRITES},
        "destroy": [TIENE_REGISTROS_RELACIONADOS, OPERACION_CONCURRENTE],
    }

    def get_serializer_class(self):
        if getattr(self.request.user, "rol", None) == Rol.ADMIN:
            return ConsultaAdminSerializer
        return ConsultaSerializer

    def create_object(self, data):
        return services.consulta_create(actor=self.request.user, **data)

    def update_object(self, consulta, data):
        return services.consulta_update(actor=self.request.user, consulta=consulta, data=data)

    def delete_object(self, consulta):
        services.consulta_delete(actor=self.request.user, consulta=consulta)


@extend_validation_errors(["proxima_dosis_anterior"], field_name="proxima_dosis", actions=WRITES)
class VacunaViewSet(ModelViewSet):
    """Applied vaccines and the date of the next dose."""

    serializer_class = VacunaSerializer
    selector = staticmethod(vacuna_list)
    action_roles = crud_roles(read=ALL_ROLES, create=ADMIN_VETERINARIO, update=ADMIN_VETERINARIO, destroy=ADMIN)
    filterset_class = VacunaFilterSet
    search_fields = ["nombre", "lote", "paciente__nombre"]
    ordering_fields = ["fecha_aplicacion", "proxima_dosis"]
    ordering = ["-fecha_aplicacion", "-id"]
    conflict_codes = {"destroy": [TIENE_REGISTROS_RELACIONADOS]}

    def create_object(self, data):
        return services.vacuna_create(actor=self.request.user, **data)

    def update_object(self, vacuna, data):
        return services.vacuna_update(actor=self.request.user, vacuna=vacuna, data=data)

    def delete_object(self, vacuna):
        services.vacuna_delete(actor=self.request.user, vacuna=vacuna)
