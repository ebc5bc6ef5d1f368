"""drf-spectacular's simplejwt extensions, pointed at the project's subclasses (an extension
matches its exact class): the login and refresh bodies and the bearer scheme stay documented,
with the `expires_in` the project's token answers add."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

EXPIRES_IN_HELP = "Lifetime of the access token, in seconds (ACCESS_TOKEN_MINUTES)."


def _expires_in():
    return serializers.IntegerField(read_only=True, help_text=EXPIRES_IN_HELP)


class JWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.JWTAuthentication"


class TokenObtainPairSchema(OpenApiSerializerExtension):
    target_class = "accounts.tokens.TokenObtainPairSerializer"

    def map_serializer(self, auto_schema, direction):
        fixed = inline_serializer(
            "TokenObtainPair",
            fields={
                self.target_class.username_field: serializers.CharField(write_only=True),
                "password": serializers.CharField(write_only=True),
                "access": serializers.CharField(read_only=True),
                "refresh": serializers.CharField(read_only=True),
                "expires_in": _expires_in(),
            },
        )
        return auto_schema._map_serializer(fixed, direction)


class TokenRefreshSchema(OpenApiSerializerExtension):
    target_class = "accounts.tokens.TokenRefreshSerializer"

    def map_serializer(self, auto_schema, direction):
        # Rotation is on: the answer carries a new refresh token too.
        fixed = inline_serializer(
            "TokenRefresh",
            fields={
                "refresh": serializers.CharField(),
                "access": serializers.CharField(read_only=True),
                "expires_in": _expires_in(),
            },
        )
        return auto_schema._map_serializer(fixed, direction)
