from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from .tokens import ISSUED_CLAIM

# simplejwt's own codes for a refused credential, as the contract names them (its 401 codes are
# not_authenticated, authentication_failed, no_active_account, token_not_valid, user_inactive).
CONTRACT_CODES = {
    "bad_authorization_header": "authentication_failed",  # "Bearer" with no token, or three words
    "user_not_found": "authentication_failed",  # a token of a deleted user
    "password_changed": "token_not_valid",  # issued before the password changed
}


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's, refusing access tokens issued before the user's `tokens_validos_desde`
    (set by a logout, a deactivation or a password change): a stolen or forgotten token
    dies with the session, and stays dead after the user is reactivated."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed as exc:
            code = exc.detail.get("code") if isinstance(exc.detail, dict) else None
            if code not in CONTRACT_CODES:
                raise
            raise AuthenticationFailed(exc.detail["detail"], code=CONTRACT_CODES[code]) from exc

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        cutoff = user.tokens_validos_desde
        if cutoff is not None:
            issued = validated_token.get(ISSUED_CLAIM, validated_token.get("iat"))
            if issued is None or float(issued) < cutoff.timestamp():
                raise AuthenticationFailed(_("El token ya no es válido."), code="token_not_valid")
        return user
