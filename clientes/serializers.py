from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import ModelSerializer

from .models import Cliente
from .services import OWNER_EDITABLE_FIELDS


class ClienteSerializer(ModelSerializer):
    """A pet owner: contact details, and how many patients they have (`num_pacientes`)."""

    num_pacientes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cliente
        fields = [
            "id",
            "nombre",
            "apellidos",
            "documento",
            "email",
            "telefono",
            "movil",
            "direccion",
            "ciudad",
            "notas",
            "acepta_email",
            "acepta_sms",
            "acepta_whatsapp",
            "canal_preferido",
            "idioma",
            "activo",
            "num_pacientes",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = ["id", "creado_en", "actualizado_en"]

    def validate_documento(self, value):
        value = value.strip()
        if value:
            duplicates = Cliente.objects.filter(documento__iexact=value)
            if self.instance is not None:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                raise serializers.ValidationError(_("Ya existe un cliente con este documento."), code="unique")
        return value


class ClientePropioUpdateSerializer(ModelSerializer):
    """What a pet owner may change of their own record (they see it as ClienteSerializer)."""

    class Meta:
        model = Cliente
        fields = list(OWNER_EDITABLE_FIELDS)
