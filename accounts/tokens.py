"""JWTs whose access tokens say, to the microsecond, when they were issued.

`iat` is whole seconds and an access token copies it from its refresh token (the login, or
the last rotation), so it cannot tell whether a token predates a logout or a deactivation
of the same second. `emitido` can: `accounts.authentication` refuses access tokens issued
before the user's `tokens_validos_desde`.
"""

import time

from rest_framework_simplejwt import serializers, tokens

from . import services

ISSUED_CLAIM = "emitido"


class RefreshToken(tokens.RefreshToken):
    no_copy_claims = (*tokens.RefreshToken.no_copy_claims, ISSUED_CLAIM)

    @property
    def access_token(self):
        access = super().access_token
        access[ISSUED_CLAIM] = time.time()
        return access


class TokenObtainPairSerializer(serializers.TokenObtainPairSerializer):
    token_class = RefreshToken


class TokenRefreshSerializer(serializers.TokenRefreshSerializer):
    token_class = RefreshToken


class TokenBlacklistSerializer(serializers.TokenBlacklistSerializer):
    """Logout: the refresh token is blacklisted and its user's access tokens issued so far die."""

    token_class = RefreshToken

    def validate(self, attrs):
        services.logout(refresh_token=self.token_class(attrs["refresh"]))
        return {}
