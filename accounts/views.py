from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView, TokenViewBase

from api.conditional import ConditionalRequestMixin
from api.idempotency import IdempotencyMixin
from api.permissions import ScopesPermission
from api.viewsets import ListViewSet, ModelViewSet

from . import services
from .filters import UsuarioFilterSet, VeterinarioFilterSet
from .models import User
from .permissions import ADMIN, ALL_ROLES, crud_roles
from .selectors import usuario_list, veterinario_list
from .serializers import (
    LogoutSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    UsuarioSerializer,
    VeterinarioSerializer,
)
from .throttles import LOGIN_THROTTLES, PasswordChangeRateThrottle
from .tokens import TokenBlacklistSerializer


@extend_schema_view(post=extend_schema(summary="Log in"))
class LoginView(TokenObtainPairView):
    """Email + password → access and refresh tokens (and `expires_in`). Throttled per
    (client IP, email) and per client IP."""

    throttle_classes = LOGIN_THROTTLES


@extend_schema_view(post=extend_schema(summary="Refresh the access token"))
class RefreshView(TokenRefreshView):
    """A refresh token → a new access token (and, rotated, a new refresh token)."""


class LogoutView(TokenViewBase):
    """Blacklists the given refresh token; it can no longer be refreshed."""

    serializer_class = TokenBlacklistSerializer

    @extend_schema(
        summary="Log out", request=LogoutSerializer, responses={205: OpenApiResponse(description="Logged out")}
    )
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_205_RESET_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="Retrieve my profile"), patch=extend_schema(summary="Update my profile")
)
class MeView(ConditionalRequestMixin, generics.RetrieveUpdateAPIView):
    """The caller's own profile; only nombre, apellidos and telefono are editable."""

    serializer_class = MeSerializer
    # An integration key is no person: it has no profile or password here (403).
    permission_classes = [IsAuthenticated, ScopesPermission]
    http_method_names = ["get", "patch", "head", "options"]
    detail = True  # one object: ETag, If-None-Match and If-Match apply (api.conditional)

    def get_object(self):
        # Read again, not the user the token authenticated: an If-Match is compared with the
        # profile as it is once its row is locked.
        return User.objects.get(pk=self.request.user.pk)

    def perform_update(self, serializer):
        serializer.instance = services.profile_update(user=serializer.instance, **serializer.validated_data)


# The codes of Django's password validators (AUTH_PASSWORD_VALIDATORS), raised by accounts.services.
PASSWORD_CODES = ["password_too_short", "password_too_common", "password_entirely_numeric", "password_too_similar"]


@extend_validation_errors(["password_incorrecta"], field_name="password_actual", methods=["post"])
@extend_validation_errors(PASSWORD_CODES, field_name="password_nueva", methods=["post"])
class PasswordChangeView(IdempotencyMixin, APIView):
    # An integration key is no person: it has no profile or password here (403).
    permission_classes = [IsAuthenticated, ScopesPermission]

    def get_throttles(self):
        # The user's ceiling, as on every view; and each call checks the current password, so
        # it is also throttled like a login, per user.
        return [*super().get_throttles(), PasswordChangeRateThrottle()]

    @extend_schema(
        summary="Change my password",
        request=PasswordChangeSerializer,
        responses={204: OpenApiResponse(description="Password changed")},
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_validation_errors(["required", *PASSWORD_CODES], field_name="password", actions=["create"])
@extend_validation_errors(PASSWORD_CODES, field_name="password", actions=["update", "partial_update"])
@extend_validation_errors(
    ["required", "cliente_solo_rol_cliente", "cliente_ya_vinculado"],
    field_name="cliente",
    actions=["create", "update", "partial_update"],
)
@extend_validation_errors(["unique"], field_name="email", actions=["create", "update", "partial_update"])
@extend_validation_errors(["required"], field_name="sedes", actions=["create", "update", "partial_update"])
@extend_validation_errors(["propia_cuenta"], field_name="rol", actions=["update", "partial_update"])
@extend_validation_errors(["propia_cuenta"], field_name="is_active", actions=["update", "partial_update", "destroy"])
class UsuarioViewSet(ModelViewSet):
    """Clinic users (admin only). DELETE deactivates the user."""

    serializer_class = UsuarioSerializer
    selector = staticmethod(usuario_list)
    action_roles = crud_roles(read=ADMIN, create=ADMIN, update=ADMIN, destroy=ADMIN)
    filterset_class = UsuarioFilterSet
    search_fields = ["email", "nombre", "apellidos"]
    ordering_fields = ["email", "nombre", "apellidos", "date_joined"]
    ordering = ["email"]
    # deactivating a vet who still has active citas (accounts.services.user_update)
    conflict_codes = {action: ["tiene_citas_futuras"] for action in ("update", "partial_update", "destroy")}

    def create_object(self, data):
        return services.user_create(actor=self.request.user, **data)

    def update_object(self, user, data):
        return services.user_update(actor=self.request.user, user=user, **data)

    def delete_object(self, user):
        services.user_deactivate(actor=self.request.user, user=user)


@extend_schema_view(list=extend_schema(summary="List vets"))
class VeterinarioViewSet(ListViewSet):
    """Active vets, so that any user (owners included) can pick one to book with."""

    serializer_class = VeterinarioSerializer
    selector = staticmethod(veterinario_list)
    action_roles = {"list": ALL_ROLES}
    filterset_class = VeterinarioFilterSet
    search_fields = ["nombre", "apellidos"]
    ordering_fields = ["nombre", "apellidos"]
    ordering = ["apellidos", "nombre", "id"]

