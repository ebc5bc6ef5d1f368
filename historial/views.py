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
    ConsultaAdminCreateSerializer,
    ConsultaAdminUpdateSerializer,
    ConsultaCreateSerializer,
    ConsultaSerializer,
    ConsultaUpdateSerializer,
    HistorialSerializer,
    PesoSerializer,
    VacunaCreateSerializer,
    VacunaSerializer,
    VacunaUpdateSerializer,
)


# The pacientes' viewset with the clinical record's two reads (`/pacientes/{id}/historial/` and
# `/pacientes/{id}/pesos/`). historial.api puts it in PacienteViewSet's place, as historial.admin
# extends the paciente's admin page: pacientes does not know its record. No docstring of its own:
# the schema describes the paciente operations with PacienteViewSet's.
class PacienteConHistorialViewSet(PacienteViewSet):
    action_roles = {**PacienteViewSet.action_roles, "historial": ALL_ROLES, "pesos": ALL_ROLES}

    @extend_schema(summary="Retrieve a patient's clinical record", responses=HistorialSerializer, filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def historial(self, request, pk=None):
        """The patient with its consultas, vacunas and citas, each newest first (not paginated)."""
        historial = paciente_historial(paciente=self.get_object())
        return Response(HistorialSerializer(historial).data)

    @extend_schema(summary="List a patient's weights", responses=PesoSerializer(many=True), filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def pesos(self, request, pk=None):
        """Weight over time, oldest first: one entry per consulta that recorded a weight."""
        return Response(PesoSerializer(paciente_pesos(paciente=self.get_object()), many=True).data)


WRITES = ["create", "update", "partial_update"]


# The codes of the rules historial.services and the models check (400), for the OpenAPI schema.
@extend_validation_errors(["required", "veterinario_no_valido"], field_name="veterinario", actions=WRITES)
@extend_validation_errors(["cita_de_otro_paciente"], field_name="cita", actions=WRITES)
@extend_validation_errors(
    ["required", "sede_inactiva", "sede_no_permitida", services.SEDE_DISTINTA_DE_CITA],
    field_name="sede",
    actions=WRITES,
)
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

    serializer_class = ConsultaSerializer

    def _by_admin(self):
        return getattr(self.request.user, "rol", None) == Rol.ADMIN

    def get_create_serializer_class(self):
        return ConsultaAdminCreateSerializer if self._by_admin() else ConsultaCreateSerializer

    def get_update_serializer_class(self):
        return ConsultaAdminUpdateSerializer if self._by_admin() else ConsultaUpdateSerializer

    def create_object(self, data):
        return services.consulta_create(actor=self.request.user, **data)

    def update_object(self, consulta, data):
        return services.consulta_update(actor=self.request.user, consulta=consulta, data=data)

    def delete_object(self, consulta):
        services.consulta_delete(actor=self.request.user, consulta=consulta)

    def lock_for_write(self, consulta):
        # Writes on consultas are serialised by the paciente's row (historial.services).
        services.lock_paciente(consulta.paciente)


@extend_validation_errors(["proxima_dosis_anterior"], field_name="proxima_dosis", actions=WRITES)
# `sede` names where the productos are charged (facturacion.services.cargos_automaticos checks it).
@extend_validation_errors(["required", "sede_inactiva", "sede_no_permitida"], field_name="sede", actions=["create"])
class VacunaViewSet(ModelViewSet):
    """Applied vaccines and the date of the next dose."""

    serializer_class = VacunaSerializer
    create_serializer_class = VacunaCreateSerializer
    update_serializer_class = VacunaUpdateSerializer
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
