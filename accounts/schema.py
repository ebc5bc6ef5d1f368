"""drf-spectacular's simplejwt extensions, pointed at the project's subclasses (an extension
matches its exact class): the login and refresh bodies and the bearer scheme stay documented."""

from drf_spectacular.contrib.rest_framework_simplejwt import (
    SimpleJWTScheme,
    TokenObtainPairSerializerExtension,
    TokenRefreshSerializerExtension,
)


class JWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.JWTAuthentication"


class TokenObtainPairSchema(TokenObtainPairSerializerExtension):
    target_class = "accounts.tokens.TokenObtainPairSerializer"


class TokenRefreshSchema(TokenRefreshSerializerExtension):
    target_class = "accounts.tokens.TokenRefreshSerializer"
