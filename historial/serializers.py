from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.selectors import veterinarios
from api.serializers import CompiledModelSerializer, ModelSerializer, PrimaryKeyRelatedField
from citas.models import Cita
from pacientes.serializers import PacienteSerializer
from sedes.models import Sede

from .models import Consulta, Vacuna
from .services import CONSULTA_EDITABLE_FIELDS, VACUNA_EDITABLE_FIELDS


class ConsultaSerializer(CompiledModelSerializer):
    """A clinical visit of a patient: findings, diagnosis, treatment and measurements."""

    paciente_nombre = serializers.CharField(source="paciente.nombre", read_only=True)
    veterinario_nombre = serializers.CharField(source="veterinario.nombre_completo", read_only=True)

    class Meta:
        model = Consulta
        fields = [
            "id",
            "paciente",
            "paciente_nombre",
            "veterinario",
            "veterinario_nombre",
            "sede",
            "cita",
            "fecha",
            "motivo",
            "anamnesis",
            "examen_fisico",
            "diagnostico",
            "tratamiento",
            "peso_kg",
            "temperatura_c",
            "notas",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


SEDE_DE_CONSULTA = _(
    "Por defecto, la de su cita, o la única sede activa del veterinario o de la clínica. Con cita, "
    "la de la cita (otra: sede_distinta_de_cita); activa (sede_inactiva) y una en la que trabaje "
    "quien la registra (sede_no_permitida)."
)
SEDE_DE_CARGOS = _(
    "Solo para los cargos de `productos` (la sede del borrador al que van): por defecto, la única "
    "sede activa; obligatoria con productos si hay varias. Debe estar activa y quien registra la "
    "vacuna debe trabajar en ella. No se guarda en la vacuna."
)


class VisibleCitaField(PrimaryKeyRelatedField):
    """A cita the caller may see: one of a sede they do not work at is as unknown as a missing
    one (400 does_not_exist), never a hint that it exists."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = Cita.objects.all()
        if request is None:
            return queryset
        return queryset.visible_to(request.user)


class CargoSerializer(serializers.Serializer):
    """A producto given at a consulta or vacuna, charged to the owner's open borrador."""

    producto = serializers.IntegerField(min_value=1)
    cantidad = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), default=Decimal("1")
    )


class ConsultaCreateSerializer(ModelSerializer):
    """What a vet sends to record a consulta (its veterinario is the caller)."""

    sede = PrimaryKeyRelatedField(queryset=Sede.objects.all(), required=False, help_text=SEDE_DE_CONSULTA)
    cita = VisibleCitaField(required=False, allow_null=True)
    productos = CargoSerializer(many=True, required=False, write_only=True)

    class Meta:
        model = Consulta
        fields = ["paciente", *CONSULTA_EDITABLE_FIELDS, "productos"]


class ConsultaUpdateSerializer(ModelSerializer):
    """What a vet sends to change a consulta: it stays with its paciente (moving it would rewrite
    two histories)."""

    sede = PrimaryKeyRelatedField(queryset=Sede.objects.all(), required=False, help_text=SEDE_DE_CONSULTA)
    cita = VisibleCitaField(required=False, allow_null=True)

    class Meta:
        model = Consulta
        fields = list(CONSULTA_EDITABLE_FIELDS)


class ConsultaAdminCreateSerializer(ConsultaCreateSerializer):
    """An admin may record a consulta on behalf of a vet."""

    veterinario = PrimaryKeyRelatedField(queryset=veterinarios(), required=False)

    class Meta(ConsultaCreateSerializer.Meta):
        fields = [*ConsultaCreateSerializer.Meta.fields, "veterinario"]


class ConsultaAdminUpdateSerializer(ConsultaUpdateSerializer):
    veterinario = PrimaryKeyRelatedField(queryset=veterinarios(), required=False)

    class Meta(ConsultaUpdateSerializer.Meta):
        fields = [*ConsultaUpdateSerializer.Meta.fields, "veterinario"]


class VacunaSerializer(CompiledModelSerializer):
    """A vaccine applied to a patient, and when the next dose is due (`proxima_dosis`)."""

    paciente_nombre = serializers.CharField(source="paciente.nombre", read_only=True)
    vencida = serializers.BooleanField(
        read_only=True,
        help_text=_("La próxima dosis ya ha pasado y no la ha sustituido una aplicación posterior de la misma vacuna."),
    )

    class Meta:
        model = Vacuna
        fields = [
            "id",
            "paciente",
            "paciente_nombre",
            "nombre",
            "lote",
            "fecha_aplicacion",
            "proxima_dosis",
            "vencida",
            "veterinario",
            "notas",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


class VacunaCreateSerializer(ModelSerializer):
    """What a caller sends to record a vacuna (its veterinario is the caller)."""

    sede = PrimaryKeyRelatedField(
        queryset=Sede.objects.all(), required=False, allow_null=True, write_only=True, help_text=SEDE_DE_CARGOS
    )
    productos = CargoSerializer(many=True, required=False, write_only=True)

    class Meta:
        model = Vacuna
        fields = ["paciente", *VACUNA_EDITABLE_FIELDS, "sede", "productos"]


class VacunaUpdateSerializer(ModelSerializer):
    """What a caller sends to change a vacuna: it stays with its paciente."""

    class Meta:
        model = Vacuna
        fields = list(VACUNA_EDITABLE_FIELDS)


class HistorialCitaSerializer(serializers.Serializer):
    """An appointment in a clinical record: when, with whom, why and its state."""

    # A shorter shape than citas' CitaSerializer (no paciente, cliente, notas...), so it stays its
    # own serializer.

    id = serializers.IntegerField()
    inicio = serializers.DateTimeField()
    fin = serializers.DateTimeField()
    estado = serializers.CharField()
    motivo = serializers.CharField()
    veterinario = serializers.IntegerField(source="veterinario_id")
    veterinario_nombre = serializers.CharField(source="veterinario.nombre_completo")


class HistorialSerializer(serializers.Serializer):
    """A patient's clinical record: the patient with its visits, vaccines and appointments, each newest
    first."""

    paciente = PacienteSerializer()
    consultas = ConsultaSerializer(many=True)
    vacunas = VacunaSerializer(many=True)
    citas = HistorialCitaSerializer(many=True)


class PesoSerializer(serializers.Serializer):
    """A weight recorded at a visit (`consulta`)."""

    fecha = serializers.DateTimeField()
    peso_kg = serializers.DecimalField(max_digits=6, decimal_places=2)
    consulta = serializers.IntegerField(source="id")
