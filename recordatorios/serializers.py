import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import DateField, PrimaryKeyRelatedField
from sedes.models import Sede

from .models import TipoRecordatorio
from .selectors import COLUMNS as RECORDATORIO_COLUMNS


class RecordatorioQuerySerializer(serializers.Serializer):
    desde = DateField(required=False, help_text=_("Fecha local inicial (por defecto, hoy)."))
    hasta = DateField(required=False, help_text=_("Fecha local final, incluida (por defecto, hoy + 14)."))
    tipo = serializers.ChoiceField(choices=TipoRecordatorio.choices, required=False)
    enviado = serializers.BooleanField(required=False, allow_null=True, default=None)
    sede = PrimaryKeyRelatedField(queryset=Sede.objects.all(), required=False, allow_null=True, default=None)

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
