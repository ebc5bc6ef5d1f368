from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenViewBase

from api.viewsets import ListViewSet, ModelViewSet

from . import services
from .filters import UsuarioFilterSet
from .permissions import ADMIN, ALL_ROLES, crud_roles
from .selectors import usuario_list, veterinario_list
from .serializers import (
    LogoutSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    UsuarioSerializer,
    VeterinarioSerializer,
)
from .throttles import LoginRateThrottle, PasswordChangeRateThrottle
from .tokens import TokenBlacklistSerializer


class LoginView(TokenObtainPairView):
    """Email + password → access and refresh tokens. Throttled per client IP."""

    throttle_classes = [LoginRateThrottle]


class LogoutView(TokenViewBase):
    """Blacklists the given refresh token; it can no longer be refreshed."""

    serializer_class = TokenBlacklistSerializer

    @extend_schema(request=LogoutSerializer, responses={205: OpenApiResponse(description="Sesión cerrada")})
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(generics.RetrieveUpdateAPIView):
    """The caller's own profile; only nombre, apellidos and telefono are editable."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        services.profile_update(user=self.request.user, **serializer.validated_data)


# The codes of Django's password validators (AUTH_PASSWORD_VALIDATORS), raised by accounts.services.
PASSWORD_CODES = ["password_too_short", "password_too_common", "password_entirely_numeric", "password_too_similar"]


@extend_validation_errors(["password_incorrecta"], field_name="password_actual", methods=["post"])
@extend_validation_errors(PASSWORD_CODES, field_name="password_nueva", methods=["post"])
class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    # Each call checks the current password: throttled like a login, per user.
    throttle_classes = [PasswordChangeRateThrottle]

    @extend_schema(
        request=PasswordChangeSerializer, responses={204: OpenApiResponse(description="Contraseña cambiada")}
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

    def create_object(self, data):
        return services.user_create(actor=self.request.user, **data)

    def update_object(self, user, data):
        return services.user_update(actor=self.request.user, user=user, **data)

    def delete_object(self, user):
        services.user_deactivate(actor=self.request.user, user=user)


class VeterinarioViewSet(ListViewSet):
    """Active vets, so that any user (owners included) can pick one to book with."""

    serializer_class = VeterinarioSerializer
    selector = staticmethod(veterinario_list)
    action_roles = {"list": ALL_ROLES}
    search_fields = ["nombre", "apellidos"]
    ordering_fields = ["nombre", "apellidos"]
    ordering = ["apellidos", "nombre", "id"]

