from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.permissions import is_cliente
from accounts.selectors import veterinarios
from accounts.serializers import VisibleVeterinarioField
from api.serializers import (
    CompiledModelSerializer,
    DateField,
    DateTimeField,
    ModelSerializer,
    PrimaryKeyRelatedField,
)
from pacientes.models import Especie, Paciente
from sedes.filters import sedes_visibles
from sedes.models import Sede

from .models import DURACION_MAXIMA, DURACION_MINIMA, DURACION_POR_DEFECTO, Bloqueo, Cita, HorarioAtencion


class VisiblePacienteField(PrimaryKeyRelatedField):
    """A paciente the caller may see: a `cliente` user can only name its own animals."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = Paciente.objects.select_related("propietario")
        if request is None:
            return queryset
        return queryset.visible_to(request.user)


class VisibleSedeField(PrimaryKeyRelatedField):
    """A sede the caller may know of (`sedes.filters.sedes_visibles`): for an owner asking
    disponibilidad, a sede that is inactive or takes no online bookings is as unknown
    (`does_not_exist`) as a missing one; for an integration key, a sede not its own."""

    queryset = Sede.objects.all()  # the model the schema reads; the choices are get_queryset's

    def get_queryset(self):
        return sedes_visibles(self.context.get("request"))


class BookingSedeField(VisibleSedeField):
    """The sede of a booking. An owner may name any sede: one that is inactive or takes no
    online bookings is `hueco_no_disponible` (the booking rule, API.md), not an unknown id;
    other callers name those they may know of."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is not None and is_cliente(request.user):
            return Sede.objects.all()
        return super().get_queryset()


class CitaSerializer(CompiledModelSerializer):
    """An appointment of a patient with a vet, from `inicio` to `fin`, and its state (`estado`,
    changed through the state actions)."""

    paciente_nombre = serializers.CharField(source="paciente.nombre", read_only=True)
    paciente_especie = serializers.ChoiceField(choices=Especie.choices, source="paciente.especie", read_only=True)
    cliente = serializers.IntegerField(source="paciente.propietario_id", read_only=True)
    cliente_nombre = serializers.CharField(source="paciente.propietario.nombre_completo", read_only=True)
    cliente_telefono = serializers.CharField(source="paciente.propietario.telefono", read_only=True)
    veterinario_nombre = serializers.CharField(source="veterinario.nombre_completo", read_only=True)
    sede_nombre = serializers.CharField(source="sede.nombre", read_only=True)
    duracion_minutos = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cita
        fields = [
            "id",
            "sede",
            "sede_nombre",
            "paciente",
            "paciente_nombre",
            "paciente_especie",
            "cliente",
            "cliente_nombre",
            "cliente_telefono",
            "veterinario",
            "veterinario_nombre",
            "inicio",
            "fin",
            "duracion_minutos",
            "motivo",
            "estado",
            "notas",
            "motivo_cancelacion",
            "creado_por",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


class CitaCreateSerializer(ModelSerializer):
    """What a caller sends to book a cita."""

    paciente = VisiblePacienteField()
    veterinario = VisibleVeterinarioField()
    sede = BookingSedeField(
        required=False,
        help_text=_("Por defecto, la única sede activa; obligatoria cuando hay varias."),
    )
    fin = DateTimeField(required=False)
    duracion_minutos = serializers.IntegerField(
        min_value=DURACION_MINIMA,
        max_value=DURACION_MAXIMA,
        required=False,
        help_text=_("Alternativa a `fin` (por defecto %(d)s minutos).") % {"d": DURACION_POR_DEFECTO},
    )

    class Meta:
        model = Cita
        fields = ["sede", "paciente", "veterinario", "inicio", "fin", "duracion_minutos", "motivo", "notas"]


class CitaUpdateSerializer(CitaCreateSerializer):
    """What a caller sends to change or reschedule a cita: a cita stays with its paciente (book a
    new one for another animal)."""

    paciente = None

    class Meta(CitaCreateSerializer.Meta):
        fields = [name for name in CitaCreateSerializer.Meta.fields if name != "paciente"]


class CancelarSerializer(serializers.Serializer):
    """Why the appointment is cancelled (optional)."""

    motivo = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DisponibilidadQuerySerializer(serializers.Serializer):
    veterinario = PrimaryKeyRelatedField(queryset=veterinarios())
    fecha = DateField()
    duracion = serializers.IntegerField(
        min_value=DURACION_MINIMA, max_value=DURACION_MAXIMA, default=DURACION_POR_DEFECTO
    )
    sede = VisibleSedeField(required=False)


class OwnZoneDateTimeField(serializers.DateTimeField):
    """An output date-time with the offset it carries (a slot's: its sede's zone), not
    converted to the server's `TIME_ZONE` as DRF's field does."""

    def enforce_timezone(self, value):
        return value if timezone.is_aware(value) else super().enforce_timezone(value)


class HuecoSerializer(serializers.Serializer):
    """A free slot: `inicio` to `fin` at `sede`, with the offset of its sede's zone."""

    inicio = OwnZoneDateTimeField()
    fin = OwnZoneDateTimeField()
    sede = serializers.IntegerField()


class DisponibilidadSerializer(serializers.Serializer):
    """The free slots of a vet on a local date for an appointment of `duracion` minutes."""

    veterinario = serializers.IntegerField()
    fecha = serializers.DateField()
    duracion = serializers.IntegerField()
    huecos = HuecoSerializer(many=True)


class HorarioSerializer(ModelSerializer):
    """One opening-hours interval of a vet on a weekday (`dia_semana`, 0 = Monday), local time."""

    veterinario = PrimaryKeyRelatedField(queryset=veterinarios(solo_activos=False))
    sede = PrimaryKeyRelatedField(
        queryset=Sede.objects.all(),
        required=False,
        help_text=_("Por defecto, la única sede activa; obligatoria cuando hay varias."),
    )

    class Meta:
        model = HorarioAtencion
        fields = ["id", "veterinario", "sede", "dia_semana", "hora_inicio", "hora_fin"]


class BloqueoSerializer(ModelSerializer):
    """Time off of a vet: no appointment can be booked from `inicio` to `fin`."""

    veterinario = PrimaryKeyRelatedField(queryset=veterinarios(solo_activos=False))

    class Meta:
        model = Bloqueo
        fields = ["id", "veterinario", "inicio", "fin", "motivo", "creado_por", "creado_en", "actualizado_en"]
        read_only_fields = ["id", "creado_por", "creado_en", "actualizado_en"]
