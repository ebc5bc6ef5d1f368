from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from .tokens import ISSUED_CLAIM


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's, refusing access tokens issued before the user's `tokens_validos_desde`
    (set by a logout, a deactivation or a password change): a stolen or forgotten token
    dies with the session, and stays dead after the user is reactivated."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        cutoff = user.tokens_validos_desde
        if cutoff is not None:
            issued = validated_token.get(ISSUED_CLAIM, validated_token.get("iat"))
            if issued is None or float(issued) < cutoff.timestamp():
                raise AuthenticationFailed(_("El token ya no es válido."), code="token_not_valid")
        return user
