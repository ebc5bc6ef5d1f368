from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import (
    ADMIN,
    ADMIN_RECEPCION,
    ALL_ROLES,
    STAFF,
    crud_roles,
    is_cliente,
)
from accounts.scoping import sedes_de_clave
from api.query_parameters import reject_unknown_parameters, serializer_parameters
from api.viewsets import ModelViewSet
from core.exceptions import OPERACION_CONCURRENTE, TIENE_HISTORIAL, TIENE_REGISTROS_RELACIONADOS

from . import services
from .filters import BloqueoFilterSet, CitaFilterSet, HorarioFilterSet
from .models import Bloqueo, HorarioAtencion
from .selectors import bloqueo_list, cita_list, horario_list
from .serializers import (
    BloqueoSerializer,
    CancelarSerializer,
    CitaCreateSerializer,
    CitaSerializer,
    CitaUpdateSerializer,
    DisponibilidadQuerySerializer,
    DisponibilidadSerializer,
    HorarioSerializer,
)

# View actions are named like the transitions, with "_" for "-" (no-asistio -> no_asistio).
STATE_ACTIONS = {name.replace("-", "_"): STAFF for name in services.TRANSICIONES}

# The codes of the rules the services check (400) for the OpenAPI schema; each is raised in citas.services.
WRITES = ["create", "update", "partial_update"]
RESERVA = ["hueco_no_disponible", "reserva_fuera_de_plazo"]
FIN = ["fin_antes_de_inicio", "duracion_fuera_de_rango", "fin_y_duracion"]


@extend_validation_errors(["inicio_en_pasado", *RESERVA], field_name="inicio", actions=WRITES)
@extend_validation_errors([*FIN, "hueco_no_disponible"], field_name="fin", actions=WRITES)
@extend_validation_errors(["hueco_no_disponible"], field_name="duracion_minutos", actions=WRITES)
@extend_validation_errors(["paciente_inactivo", "does_not_exist"], field_name="paciente", actions=WRITES)
@extend_validation_errors(["veterinario_no_valido", "veterinario_otra_sede"], field_name="veterinario", actions=WRITES)
@extend_validation_errors(
    ["required", "sede_inactiva", "sede_no_permitida", "hueco_no_disponible"], field_name="sede", actions=WRITES
)
@extend_validation_errors(["reserva_limite_activas"], field_name="non_field_errors", actions=["create"])
class CitaViewSet(ModelViewSet):
    """Appointments. Owners see their animals' citas, book for them and may only cancel them."""

    serializer_class = CitaSerializer
    create_serializer_class = CitaCreateSerializer
    update_serializer_class = CitaUpdateSerializer
    selector = staticmethod(cita_list)
    action_roles = crud_roles(
        read=ALL_ROLES,
        create=ALL_ROLES,
        update=STAFF,
        destroy=ADMIN,
        disponibilidad=ALL_ROLES,
        **{**STATE_ACTIONS, "cancelar": ALL_ROLES},
    )
    filterset_class = CitaFilterSet
    search_fields = ["paciente__nombre", "motivo", "paciente__propietario__apellidos"]
    ordering_fields = ["inicio", "creado_en"]
    ordering = ["inicio", "id"]
    conflict_codes = {
        "create": [*services.SOLAPES, OPERACION_CONCURRENTE],
        "update": [*services.SOLAPES, services.NO_REPROGRAMABLE, OPERACION_CONCURRENTE],
        "partial_update": [*services.SOLAPES, services.NO_REPROGRAMABLE, OPERACION_CONCURRENTE],
        "destroy": [TIENE_HISTORIAL, OPERACION_CONCURRENTE],
        **{action: [services.TRANSICION_INVALIDA, OPERACION_CONCURRENTE] for action in STATE_ACTIONS},
    }

    def create_object(self, data):
        return services.cita_create(actor=self.request.user, **data)

    def update_object(self, cita, data):
        return services.cita_update(actor=self.request.user, cita=cita, data=data)

    def delete_object(self, cita):
        services.cita_delete(actor=self.request.user, cita=cita)

    def _transition(self, accion, motivo=""):
        cita = self.get_object()
        cita = self.written(
            lambda: services.cita_transition(cita=cita, accion=accion, actor=self.request.user, motivo=motivo)
        )
        return Response(self.get_serializer(cita).data)

    @extend_schema(summary="Confirm an appointment", request=None, responses=CitaSerializer)
    @action(detail=True, methods=["post"])
    def confirmar(self, request, pk=None):
        return self._transition("confirmar")

    @extend_schema(summary="Start an appointment", request=None, responses=CitaSerializer)
    @action(detail=True, methods=["post"])
    def iniciar(self, request, pk=None):
        return self._transition("iniciar")

    @extend_schema(summary="Complete an appointment", request=None, responses=CitaSerializer)
    @action(detail=True, methods=["post"])
    def completar(self, request, pk=None):
        return self._transition("completar")

    @extend_schema(summary="Cancel an appointment", request=CancelarSerializer, responses=CitaSerializer)
    @action(detail=True, methods=["post"])
    def cancelar(self, request, pk=None):
        body = CancelarSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition("cancelar", motivo=body.validated_data.get("motivo", ""))

    @extend_schema(summary="Mark an appointment as a no-show", request=None, responses=CitaSerializer)
    @action(detail=True, methods=["post"], url_path="no-asistio", url_name="no-asistio")
    def no_asistio(self, request, pk=None):
        return self._transition("no-asistio")

    @extend_schema(
        summary="List a vet's free slots",
        parameters=[DisponibilidadQuerySerializer],
        responses=DisponibilidadSerializer,
        filters=False,
    )
    @action(detail=False, pagination_class=None, filter_backends=[])
    def disponibilidad(self, request):
        """Free slots of a vet on a local date, for booking (every authenticated role)."""
        reject_unknown_parameters(request, serializer_parameters(DisponibilidadQuerySerializer))
        query = DisponibilidadQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        huecos = services.disponibilidad(
            veterinario=params["veterinario"],
            fecha=params["fecha"],
            duracion_minutos=params["duracion"],
            sede=params.get("sede"),
            solo_reserva_online=is_cliente(request.user),
            solo_sedes=sedes_de_clave(request.user),
        )
        body = {"veterinario": params["veterinario"].pk, "fecha": params["fecha"], "duracion": params["duracion"]}
        return Response(DisponibilidadSerializer({**body, "huecos": huecos}).data)


@extend_validation_errors(["solape_horario"], field_name="non_field_errors", actions=WRITES)
@extend_validation_errors(["veterinario_no_valido"], field_name="veterinario", actions=WRITES)
@extend_validation_errors(["required", "veterinario_otra_sede"], field_name="sede", actions=WRITES)
class HorarioViewSet(ModelViewSet):
    """Opening hours per vet, sede and weekday, in the sede's local time (admin writes, staff of
    the sede read)."""

    serializer_class = HorarioSerializer
    selector = staticmethod(horario_list)
    action_roles = crud_roles(read=STAFF, create=ADMIN, update=ADMIN, destroy=ADMIN)
    filterset_class = HorarioFilterSet
    ordering = ["veterinario", "dia_semana", "hora_inicio"]
    conflict_codes = {
        **{action: [OPERACION_CONCURRENTE] for action in WRITES},
        "destroy": [TIENE_REGISTROS_RELACIONADOS, OPERACION_CONCURRENTE],
    }

    def create_object(self, data):
        return services.horario_save(actor=self.request.user, horario=HorarioAtencion(), data=data)

    def update_object(self, horario, data):
        return services.horario_save(actor=self.request.user, horario=horario, data=data)

    def delete_object(self, horario):
        services.horario_delete(actor=self.request.user, horario=horario)

    def lock_for_write(self, horario):
        # Writes on a vet's horarios are serialised by the vet's row (citas.services, step 2).
        services.lock_veterinario(horario.veterinario)


@extend_validation_errors(["fin_antes_de_inicio"], field_name="fin", actions=WRITES)
@extend_validation_errors(["veterinario_no_valido"], field_name="veterinario", actions=WRITES)
class BloqueoViewSet(ModelViewSet):
    """Time a vet cannot be booked. A vet manages only their own; recepción and admin any."""

    serializer_class = BloqueoSerializer
    selector = staticmethod(bloqueo_list)
    action_roles = crud_roles(read=STAFF, create=STAFF, update=STAFF, destroy=ADMIN_RECEPCION | {"veterinario"})
    filterset_class = BloqueoFilterSet
    ordering_fields = ["inicio"]
    ordering = ["inicio", "id"]
    conflict_codes = {
        **{action: [services.BLOQUEO_CON_CITAS, OPERACION_CONCURRENTE] for action in WRITES},
        "destroy": [TIENE_REGISTROS_RELACIONADOS, OPERACION_CONCURRENTE],
    }

    def create_object(self, data):
        return services.bloqueo_save(actor=self.request.user, bloqueo=Bloqueo(), data=data)

    def update_object(self, bloqueo, data):
        return services.bloqueo_save(actor=self.request.user, bloqueo=bloqueo, data=data)

    def delete_object(self, bloqueo):
        services.bloqueo_delete(actor=self.request.user, bloqueo=bloqueo)

    def lock_for_write(self, bloqueo):
        # Writes on a vet's bloqueos are serialised by the vet's row (citas.services, step 2).
        services.lock_veterinario(bloqueo.veterinario)
