from rest_framework import serializers

from accounts.selectors import veterinarios
from api.serializers import ModelSerializer, PrimaryKeyRelatedField
from pacientes.serializers import PacienteSerializer

from .models import Consulta, Vacuna


class ConsultaSerializer(ModelSerializer):
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
        read_only_fields = ["id", "veterinario", "creado_en", "actualizado_en"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # A consulta stays with its paciente; moving it would rewrite two histories.
            fields["paciente"].read_only = True
        return fields


class ConsultaAdminSerializer(ConsultaSerializer):
    """An admin may record a consulta on behalf of a vet."""

    veterinario = PrimaryKeyRelatedField(queryset=veterinarios(), required=False)

    class Meta(ConsultaSerializer.Meta):
        read_only_fields = ["id", "creado_en", "actualizado_en"]


class VacunaSerializer(ModelSerializer):
    """A vaccine applied to a patient, and when the next dose is due (`proxima_dosis`)."""

    paciente_nombre = serializers.CharField(source="paciente.nombre", read_only=True)

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
            "veterinario",
            "notas",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = ["id", "veterinario", "creado_en", "actualizado_en"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["paciente"].read_only = True
        return fields


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
