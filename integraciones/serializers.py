from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import ModelSerializer, PrimaryKeyRelatedField
from sedes.filters import sedes_de_trabajo, sedes_visibles

from .models import PING, TIPOS_EVENTO, TODOS, Entrega, Evento, Integracion, Webhook
from .permisos import PERMISOS_VALIDOS


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class NombresField(serializers.ListField):
    """A list of names (tipos, permisos) checked as a whole by its serializer's `validate_<field>`,
    so that every error is the field's own (`attr` the field, not `field.0`)."""


class SedeVisibleField(PrimaryKeyRelatedField):
    """A sede the caller may see (any other id is a 400 does_not_exist)."""

    def get_queryset(self):
        return sedes_visibles(self.context.get("request"))


class SedeDeTrabajoField(PrimaryKeyRelatedField):
    """A sede the caller acts at (an integration key, one of its own; any other id is a 400
    does_not_exist)."""

    def get_queryset(self):
        return sedes_de_trabajo(self.context.get("request"))


class EventoSerializer(ModelSerializer):
    """One change: the object as the API showed it then (`{"id"}` for a deletion)."""

    datos = serializers.JSONField(read_only=True)

    class Meta:
        model = Evento
        fields = ["id", "tipo", "creado_en", "sede", "objeto_id", "datos"]
        read_only_fields = fields


class WebhookSerializer(ModelSerializer):
    """A receiver of events. `secreto` is shown once: on create and by `rotar-secreto`."""

    eventos = NombresField(allow_empty=False)
    sede = SedeDeTrabajoField(allow_null=True, required=False)

    class Meta:
        model = Webhook
        fields = ["id", "url", "eventos", "sede", "activo", "fallos_consecutivos", "creado_en", "actualizado_en"]
        read_only_fields = ["id", "fallos_consecutivos", "creado_en", "actualizado_en"]

    def validate_eventos(self, value):
        desconocidos = [tipo for tipo in value if not isinstance(tipo, str) or tipo not in (*TIPOS_EVENTO, TODOS, PING)]
        if desconocidos:
            raise serializers.ValidationError(
                _("Tipo de evento desconocido: «%(tipo)s».") % {"tipo": desconocidos[0]}, code="tipo_desconocido"
            )
        return list(dict.fromkeys(value))


class WebhookConSecretoSerializer(WebhookSerializer):
    secreto = serializers.CharField(read_only=True)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secreto"]
        read_only_fields = [*WebhookSerializer.Meta.read_only_fields, "secreto"]


class EntregaSerializer(ModelSerializer):
    """One delivery of an event to the webhook, and how its last attempt went."""

    class Meta:
        model = Entrega
        fields = [
            "id",
            "evento",
            "tipo",
            "intento",
            "estado",
            "codigo_http",
            "error",
            "duracion_ms",
            "proximo_intento",
            "creado_en",
        ]
        read_only_fields = fields


class IntegracionSerializer(ModelSerializer):
    """An outside system's key: what it may reach (`permisos`, `sedes`). `clave` is shown once:
    on create and by `rotar-clave`."""

    permisos = NombresField(allow_empty=True)
    sedes = SedeVisibleField(many=True, required=False)

    class Meta:
        model = Integracion
        fields = ["id", "nombre", "permisos", "sedes", "activo", "ultimo_uso", "creado_en", "actualizado_en"]
        read_only_fields = ["id", "ultimo_uso", "creado_en", "actualizado_en"]

    def validate_permisos(self, value):
        desconocidos = [permiso for permiso in value if not isinstance(permiso, str) or permiso not in PERMISOS_VALIDOS]
        if desconocidos:
            raise serializers.ValidationError(
                _("Permiso desconocido: «%(permiso)s» (use <recurso>:read o <recurso>:write).")
                % {"permiso": desconocidos[0]},
                code="permiso_desconocido",
            )
        return sorted(set(value))


class IntegracionConClaveSerializer(IntegracionSerializer):
    clave = serializers.CharField(read_only=True)

    class Meta(IntegracionSerializer.Meta):
        fields = [*IntegracionSerializer.Meta.fields, "clave"]
        read_only_fields = [*IntegracionSerializer.Meta.read_only_fields, "clave"]
