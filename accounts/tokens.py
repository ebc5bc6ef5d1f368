"""JWTs whose access tokens say, to the microsecond, when they were issued.

`iat` is whole seconds and an access token copies it from its refresh token (the login, or
the last rotation), so it cannot tell whether a token predates a logout or a deactivation
of the same second. `emitido` can: `accounts.authentication` refuses access tokens issued
before the user's `tokens_validos_desde`.
"""

import time

from django.contrib.auth import get_user_model
from rest_framework.exceptions import AuthenticationFailed
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


def access_lifetime_seconds():
    """`expires_in` of the token answers: the lifetime the access tokens are issued with
    (SIMPLE_JWT's ACCESS_TOKEN_LIFETIME), in whole seconds."""
    return int(RefreshToken.access_token_class.lifetime.total_seconds())


class TokenObtainPairSerializer(serializers.TokenObtainPairSerializer):
    token_class = RefreshToken

    def validate(self, attrs):
        return {**super().validate(attrs), "expires_in": access_lifetime_seconds()}


class TokenRefreshSerializer(serializers.TokenRefreshSerializer):
    token_class = RefreshToken

    def validate(self, attrs):
        try:
            data = super().validate(attrs)
        except get_user_model().DoesNotExist:
            # the refresh token of a user deleted since: no account, as for an inactive one (not a 500)
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None
        return {**data, "expires_in": access_lifetime_seconds()}


class TokenBlacklistSerializer(serializers.TokenBlacklistSerializer):
    """Logout: the refresh token is blacklisted and its user's access tokens issued so far die."""

    token_class = RefreshToken

    def validate(self, attrs):
        services.logout(refresh_token=self.token_class(attrs["refresh"]))
        return {}
