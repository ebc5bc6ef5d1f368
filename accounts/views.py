from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenViewBase

from . import services
from .filters import UsuarioFilterSet
from .models import User
from .permissions import ADMIN, ALL_ROLES, RoleAllowedMethodsMixin, RolePermission, crud_roles
from .selectors import veterinarios
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


class UsuarioViewSet(RoleAllowedMethodsMixin, viewsets.ModelViewSet):
    """Clinic users (admin only). DELETE deactivates the user."""

    serializer_class = UsuarioSerializer
    permission_classes = [RolePermission]
    action_roles = crud_roles(read=ADMIN, create=ADMIN, update=ADMIN, destroy=ADMIN)
    filterset_class = UsuarioFilterSet
    search_fields = ["email", "nombre", "apellidos"]
    ordering_fields = ["email", "nombre", "apellidos", "date_joined"]
    ordering = ["email"]

    def get_queryset(self):
        return User.objects.select_related("cliente")

    def perform_create(self, serializer):
        serializer.instance = services.user_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.user_update(
            actor=self.request.user, user=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.user_deactivate(actor=self.request.user, user=instance)


class VeterinarioViewSet(RoleAllowedMethodsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Active vets, so that any user (owners included) can pick one to book with."""

    serializer_class = VeterinarioSerializer
    permission_classes = [RolePermission]
    action_roles = {"list": ALL_ROLES}
    search_fields = ["nombre", "apellidos"]
    ordering_fields = ["nombre", "apellidos"]
    ordering = ["apellidos", "nombre", "id"]

    def get_queryset(self):
        return veterinarios()
