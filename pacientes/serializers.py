from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import CompiledModelSerializer

from .models import Paciente


class PacienteSerializer(CompiledModelSerializer):
    """An animal under the clinic's care, with its owner (`propietario`)."""

    propietario_nombre = serializers.CharField(source="propietario.nombre_completo", read_only=True)

    class Meta:
        model = Paciente
        fields = [
            "id",
            "nombre",
            "especie",
            "raza",
            "sexo",
            "fecha_nacimiento",
            "color",
            "microchip",
            "esterilizado",
            "peso_kg",
            "alergias",
            "notas",
            "fallecido",
            "fecha_fallecimiento",
            "propietario",
            "propietario_nombre",
            "activo",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = ["id", "creado_en", "actualizado_en"]
        # Uniqueness of microchip is checked in validate_microchip (a field error)
        # and guaranteed by the partial unique constraint.
        validators = []

    def validate_microchip(self, value):
        value = value.strip()
        if value:
            duplicates = Paciente.objects.filter(microchip=value)
            if self.instance is not None:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                raise serializers.ValidationError(_("Ya existe un paciente con este microchip."), code="unique")
        return value
