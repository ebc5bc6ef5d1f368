import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import DateField, ModelSerializer
from citas.serializers import VisibleSedeField

from .models import EstadoInformado, Mensaje, Plantilla, TipoRecordatorio
from .selectors import COLUMNS as RECORDATORIO_COLUMNS
from .services import PLANTILLA_FIELDS


class RecordatorioQuerySerializer(serializers.Serializer):
    desde = DateField(required=False, help_text=_("Fecha local inicial (por defecto, hoy)."))
    hasta = DateField(required=False, help_text=_("Fecha local final, incluida (por defecto, hoy + 14)."))
    tipo = serializers.ChoiceField(choices=TipoRecordatorio.choices, required=False)
    enviado = serializers.BooleanField(required=False, allow_null=True, default=None)
    sede = VisibleSedeField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        hoy = timezone.localdate()
        attrs["desde"] = attrs.get("desde") or hoy
        attrs["hasta"] = attrs.get("hasta") or hoy + datetime.timedelta(days=14)
        if attrs["hasta"] < attrs["desde"]:
            raise serializers.ValidationError(
                {"hasta": _("Debe ser igual o posterior a «desde».")}, code="rango_invertido"
            )
        if (attrs["hasta"] - attrs["desde"]).days > 366:
            raise serializers.ValidationError(
                {"hasta": _("La ventana no puede superar un año.")}, code="ventana_excesiva"
            )
        return attrs


class RecordatorioSerializer(serializers.Serializer):
    """A reminder: a vaccine dose falling due (`vacuna`) or an upcoming cita (`cita`)."""

    tipo = serializers.ChoiceField(choices=TipoRecordatorio.choices)
    fecha = serializers.DateField()
    paciente = serializers.IntegerField()
    paciente_nombre = serializers.CharField()
    cliente = serializers.IntegerField()
    cliente_nombre = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    telefono = serializers.CharField(allow_blank=True)
    vacuna = serializers.IntegerField(required=False, help_text=_("Solo en recordatorios de tipo vacuna."))
    cita = serializers.IntegerField(required=False, help_text=_("Solo en recordatorios de tipo cita."))
    sede = serializers.IntegerField(
        allow_null=True,
        help_text=_("La sede de la cita; para una vacuna, la de la última consulta del paciente."),
    )
    enviado_en = serializers.DateTimeField(allow_null=True)

    def to_representation(self, row):
        item = dict(zip(RECORDATORIO_COLUMNS, row, strict=True))
        item.pop("cita" if item["tipo"] == TipoRecordatorio.VACUNA else "vacuna")
        return super().to_representation(item)


class PlantillaSerializer(ModelSerializer):
    """The text of a reminder for a tipo × canal × idioma, at one sede or (sede null) at all."""

    segmentos = serializers.IntegerField(
        read_only=True, help_text=_("Partes SMS del cuerpo con valores de ejemplo (160/153 GSM-7, 70/67 UCS-2).")
    )

    class Meta:
        model = Plantilla
        fields = ["id", *PLANTILLA_FIELDS, "segmentos", "creado_en", "actualizado_en"]
        read_only_fields = ["id", "segmentos", "creado_en", "actualizado_en"]
        extra_kwargs = {
            "asunto": {"help_text": _("Solo para email; en SMS y WhatsApp, vacío (si no: asunto_solo_email).")},
            "cuerpo": {
                "help_text": _(
                    "Variables: {cliente}, {paciente}, {vacuna}, {fecha}, {hora}, {sede}, {telefono_sede}. "
                    "Como mucho 1600 caracteres en SMS, 4096 en WhatsApp y 2000 en email (max_length)."
                )
            },
        }


class MensajeSerializer(ModelSerializer):
    """One message of a reminder on one channel for one offset, and how it went."""

    class Meta:
        model = Mensaje
        fields = [
            "id",
            "canal",
            "destinatario",
            "cliente",
            "recordatorio_tipo",
            "vacuna",
            "cita",
            "sede",
            "offset",
            "asunto",
            "cuerpo",
            "estado",
            "proveedor_id",
            "error",
            "intentos",
            "proximo_intento",
            "creado_en",
            "enviado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


class MensajeEstadoSerializer(serializers.Serializer):
    """A provider's report on a message it took."""

    id = serializers.CharField(max_length=100, help_text=_("El `proveedor_id` del mensaje."))
    estado = serializers.ChoiceField(choices=EstadoInformado.choices)
    error = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        max_length=1000,
        help_text=_("Por qué falló; vacío o null: sin error."),
    )

    def validate_error(self, value):
        # Providers often send "error": null for a delivered message: no error.
        return value or ""


class MensajeEstadoRespuestaSerializer(serializers.Serializer):
    actualizados = serializers.IntegerField(help_text=_("Mensajes con ese id del proveedor."))
