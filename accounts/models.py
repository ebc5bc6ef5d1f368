from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import no_control_characters


class Rol(models.TextChoices):
    ADMIN = "admin", _("Administrador")
    VETERINARIO = "veterinario", _("Veterinario")
    RECEPCIONISTA = "recepcionista", _("Recepcionista")
    CLIENTE = "cliente", _("Cliente")


STAFF_ROLES = frozenset({Rol.ADMIN, Rol.VETERINARIO, Rol.RECEPCIONISTA})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Login matches the email case-insensitively.
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("El email es obligatorio.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        from .roles import sync_user_group  # roles imports this module

        sync_user_group(user)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("rol", Rol.RECEPCIONISTA)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields["rol"] = Rol.ADMIN
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: clinic staff or a pet owner (rol `cliente`).

    Staff status and superuser powers follow from `rol`, so they are
    properties rather than stored flags that could disagree with it.
    """

    email = models.EmailField(_("email"), max_length=254, unique=True)
    nombre = models.CharField(_("nombre"), max_length=100, blank=True, validators=[no_control_characters])
    apellidos = models.CharField(_("apellidos"), max_length=150, blank=True, validators=[no_control_characters])
    telefono = models.CharField(_("teléfono"), max_length=30, blank=True)
    rol = models.CharField(_("rol"), max_length=20, choices=Rol.choices, default=Rol.RECEPCIONISTA, db_index=True)
    is_active = models.BooleanField(_("activo"), default=True)
    date_joined = models.DateTimeField(_("alta"), default=timezone.now)
    # Access tokens issued before this instant are refused (logout, deactivation, password change).
    tokens_validos_desde = models.DateTimeField(_("tokens válidos desde"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(rol__in=Rol.values), name="accounts_user_rol_valid"),
        ]

    def __str__(self):
        return self.nombre_completo or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args, **kwargs):
        # `tokens_validos_desde` is written only by accounts.services.revoke_access_tokens, an
        # UPDATE of that column alone: saving a copy of the user read before a logout (an admin's
        # edit, a login's last_login) must not bring the revoked tokens back to life.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "tokens_validos_desde"
            ]
        super().save(*args, **kwargs)

    @property
    def nombre_completo(self):
        return f"{self.nombre} {self.apellidos}".strip()

    @property
    def is_staff(self):
        return self.rol in STAFF_ROLES

    @property
    def is_superuser(self):  # replaces PermissionsMixin's stored flag
        return self.rol == Rol.ADMIN

    def get_full_name(self):
        return self.nombre_completo

    def get_short_name(self):
        return self.nombre
