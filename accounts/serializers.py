from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import ModelSerializer, PrimaryKeyRelatedField

from .filters import sedes_visibles
from .selectors import veterinarios, veterinarios_visibles

User = get_user_model()


def _cliente_model():
    # The Cliente model reaches accounts only through the reverse one-to-one
    # `User.cliente`, so accounts never imports the clientes app.
    return User._meta.get_field("cliente").related_model


def _sede_model():
    # Through the reverse relation `User.sedes` (Sede.personal): accounts never imports sedes.
    return User._meta.get_field("sedes").related_model


class SedeField(PrimaryKeyRelatedField):
    def get_queryset(self):
        return _sede_model().objects.all()


class VisibleVeterinarioField(PrimaryKeyRelatedField):
    """A vet the caller may know of (accounts.selectors.veterinarios_visibles): for an owner,
    an inactive vet's id is as unknown as a missing one."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:  # no caller (the schema, a command): any vet
            return veterinarios(solo_activos=False)
        return veterinarios_visibles(request.user)


class ClienteLinkField(PrimaryKeyRelatedField):
    def get_queryset(self):
        return _cliente_model().objects.all()


SEDES_HELP = _(
    "Sedes en las que trabaja un veterinario o recepcionista (vacío para un administrador, que trabaja en todas)."
)


class MeSerializer(ModelSerializer):
    """The caller's own profile. `cliente` is the owner record a `cliente` user is linked to (null for
    staff)."""

    cliente = ClienteLinkField(read_only=True, allow_null=True)
    sedes = SedeField(many=True, read_only=True, help_text=SEDES_HELP)

    class Meta:
        model = User
        fields = ["id", "email", "nombre", "apellidos", "telefono", "rol", "cliente", "sedes"]
        read_only_fields = ["id", "email", "rol", "cliente", "sedes"]


class PasswordChangeSerializer(serializers.Serializer):
    """The current password and the new one."""

    password_actual = serializers.CharField(write_only=True, trim_whitespace=False)
    password_nueva = serializers.CharField(write_only=True, trim_whitespace=False)


class LogoutSerializer(serializers.Serializer):
    """The refresh token to revoke."""

    refresh = serializers.CharField()


class UsuarioSerializer(ModelSerializer):
    """A user of the clinic, with exactly one `rol`; a `cliente` user is linked to one owner record
    (`cliente`). `password` is required on creation and never returned."""

    cliente = ClienteLinkField(allow_null=True, required=False)
    sedes = SedeField(many=True, required=False, help_text=SEDES_HELP)
    password = serializers.CharField(
        write_only=True, required=False, trim_whitespace=False, style={"input_type": "password"}
    )

    class Meta:
        model = User
        fields = ["id", "email", "nombre", "apellidos", "telefono", "rol", "cliente", "sedes", "is_active", "password"]
        read_only_fields = ["id"]
        extra_kwargs = {"rol": {"required": True}}

    def validate_email(self, value):
        return User.objects.normalize_email(value).lower()

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError(
                {"password": [serializers.Field.default_error_messages["required"]]}, code="required"
            )
        return attrs


class VisibleSedesField(serializers.ListField):
    """The ids of a user's sedes that the caller may know of (`accounts.filters.sedes_visibles`):
    an owner is not told of sedes hidden from them. Reads the prefetched `sedes`; the visible
    ids are read once per request."""

    child = serializers.IntegerField()

    def get_attribute(self, instance):
        return [sede.pk for sede in instance.sedes.all()]

    def to_representation(self, data):
        visibles = self._visibles()
        return [pk for pk in data if pk in visibles]

    def _visibles(self):
        context = self.root.context if self.root is not None else self.context
        if "_sedes_visibles" not in context:
            context["_sedes_visibles"] = set(
                sedes_visibles(context.get("request")).values_list("pk", flat=True)
            )
        return context["_sedes_visibles"]


class VeterinarioSerializer(ModelSerializer):
    """An active vet, as anyone may see them to book an appointment (`sedes`: those of theirs the
    caller may know of)."""

    sedes = VisibleSedesField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "nombre", "apellidos", "sedes"]
