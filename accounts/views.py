from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenViewBase

from api.conditional import ConditionalRequestMixin
from api.idempotency import IdempotencyMixin
from api.viewsets import ListViewSet, ModelViewSet

from . import services
from .filters import UsuarioFilterSet
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


class MeView(ConditionalRequestMixin, generics.RetrieveUpdateAPIView):
    """The caller's own profile; only nombre, apellidos and telefono are editable."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]
    detail = True  # one object: ETag, If-None-Match and If-Match apply (api.conditional)

    def get_object(self):
        # Read again, not the user the token authenticated: an If-Match is compared with the
        # profile as it is once its row is locked.
        return User.objects.get(pk=self.request.user.pk)

    def perform_update(self, serializer):
        serializer.instance = services.profile_update(user=serializer.instance, **serializer.validated_data)


class PasswordChangeView(IdempotencyMixin, APIView):
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

