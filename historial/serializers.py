from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.selectors import veterinarios
from api.serializers import ModelSerializer, PrimaryKeyRelatedField
from pacientes.serializers import PacienteSerializer

from .models import Consulta, Vacuna


class ConsultaSerializer(ModelSerializer):
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
        read_only_fields = ["id", "veterinario", "creado_en", "actualizado_en"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["paciente"].read_only = True
        return fields


class HistorialCitaSerializer(serializers.Serializer):
    """The citas of a historial: a shorter shape than citas' CitaSerializer (no paciente, cliente,
    notas...), so it stays its own serializer."""

    id = serializers.IntegerField()
    inicio = serializers.DateTimeField()
    fin = serializers.DateTimeField()
    estado = serializers.CharField()
    motivo = serializers.CharField()
    veterinario = serializers.IntegerField(source="veterinario_id")
    veterinario_nombre = serializers.CharField(source="veterinario.nombre_completo")


class HistorialSerializer(serializers.Serializer):
    paciente = PacienteSerializer()
    consultas = ConsultaSerializer(many=True)
    vacunas = VacunaSerializer(many=True)
    citas = HistorialCitaSerializer(many=True)


class PesoSerializer(serializers.Serializer):
    fecha = serializers.DateTimeField()
    peso_kg = serializers.DecimalField(max_digits=6, decimal_places=2)
    consulta = serializers.IntegerField(source="id")
