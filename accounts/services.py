"""Writes on users: every rule about roles, links to clientes and credentials lives here."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.exceptions import Conflict
from core.services import lock_rows

from .models import Rol, User
from .roles import sync_user_group

PROFILE_FIELDS = ("nombre", "apellidos", "telefono")
ADMIN_EDITABLE_FIELDS = ("email", "nombre", "apellidos", "telefono", "rol", "is_active")

_UNSET = object()

# Where a user's agenda lives: `source(user, sedes=None)` gives the ids of the active citas
# (programada, confirmada, en_curso) the user attends as veterinario from now on (`sedes`: only
# those at these sedes). The citas app registers it (`register_citas_futuras`, from
# CitasConfig.ready): accounts sits below citas and never imports it, and the rule of what an
# active cita is stays in citas.
_citas_futuras = None


def register_citas_futuras(source) -> None:
    global _citas_futuras
    _citas_futuras = source


def _check_sin_citas_futuras(user, *, message, sedes=None):
    """A veterinario with citas still to attend (at `sedes`, when given) may not be deactivated,
    change rol or leave those sedes (409 `tiene_citas_futuras` with their ids): reassign or
    cancel them first."""
    ids = [] if _citas_futuras is None else list(_citas_futuras(user, sedes=sedes))
    if ids:
        raise Conflict(message, code="tiene_citas_futuras", extra={"citas": ids})


def _invalid(field, message, code):
    return ValidationError({field: ValidationError(message, code=code)})


def _check_cliente_link(*, user, rol, cliente):
    if rol == Rol.CLIENTE and cliente is None:
        raise _invalid("cliente", _("Un usuario con rol cliente debe estar vinculado a un cliente."), "required")
    if rol != Rol.CLIENTE and cliente is not None:
        raise _invalid(
            "cliente", _("Solo los usuarios con rol cliente se vinculan a un cliente."), "cliente_solo_rol_cliente"
        )
    if cliente is not None and cliente.usuario_id not in (None, user.pk):
        raise _invalid("cliente", _("Este cliente ya está vinculado a otro usuario."), "cliente_ya_vinculado")


def _sede_model():
    # Sedes reach accounts only through the reverse relation `User.sedes` (Sede.personal), so
    # accounts never imports the sedes app.
    return User._meta.get_field("sedes").related_model


def _resolve_sedes(*, rol, sedes):
    """Where a user works: veterinarios and recepcionistas at the sedes given, at least one
    when more than one sede is active (with one, none given means that one); an admin works
    at all of them and a `cliente` at none, so neither keeps a list."""
    if rol not in (Rol.VETERINARIO, Rol.RECEPCIONISTA):
        return []
    sedes = list(sedes or [])
    if sedes:
        return sedes
    activas = list(_sede_model().objects.filter(activo=True)[:2])
    if len(activas) <= 1:  # the only one, or none yet to work at
        return activas
    raise _invalid("sedes", _("Indique al menos una sede en la que trabaja."), "required")


def _link_cliente(*, user, cliente):
    """Points `cliente` (or nothing) at `user`, releasing any previous link."""
    previous = getattr(user, "cliente", None) if user.pk else None
    if previous is not None and previous != cliente:
        previous.usuario = None
        previous.save(update_fields=["usuario"])
    if cliente is not None and cliente.usuario_id != user.pk:
        cliente.usuario = user
        cliente.save(update_fields=["usuario"])


def _validate_password(password, user, *, field):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        # each of Django's password validators keeps its own code (password_too_short, …)
        raise ValidationError({field: exc.error_list}) from exc


def _check_email_free(*, user):
    email = User.objects.normalize_email(user.email).lower()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise _invalid("email", _("Ya existe un usuario con este email."), "unique")


def revoke_access_tokens(*, user_id):
    """Every access token issued to the user until now stops working (accounts.authentication)."""
    User.objects.filter(pk=user_id).update(tokens_validos_desde=timezone.now())


def revoke_refresh_tokens(*, user):
    """Blacklists every refresh token issued to `user`, and kills its access tokens
    (password change, deactivation): none comes back if the user is reactivated."""
    pending = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in pending], ignore_conflicts=True)
    revoke_access_tokens(user_id=user.pk)


def logout(*, refresh_token) -> None:
    """Ends a session: its refresh token is blacklisted, and the access tokens issued to its
    user so far die with it (other sessions get a fresh one from their own refresh token)."""
    refresh_token.blacklist()
    revoke_access_tokens(user_id=refresh_token[api_settings.USER_ID_CLAIM])


def _check_puede_dejar(*, user, sedes):
    """A vet may not leave sedes (ids) where they attend active citas from now on (409
    `tiene_citas_futuras` with their ids): reassign or cancel them first."""
    if sedes:
        _check_sin_citas_futuras(
            user,
            sedes=sedes,
            message=_("Tiene citas pendientes en una sede que deja; reasígnelas o cancélelas antes."),
        )


@transaction.atomic
def personal_leave_sedes(*, actor, user, sedes) -> None:
    """`user` stops working at `sedes` (ids), for a write that changes a sede's staff rather
    than the user (call it before removing them): `_check_puede_dejar` under the user's lock,
    and their horario rows there go (`_drop_horarios`). `user_update` does the same."""
    stored = lock_rows(User.objects.filter(pk=user.pk)).get()
    sedes = set(sedes) & set(stored.sedes.values_list("pk", flat=True))
    _check_puede_dejar(user=stored, sedes=sedes)
    _drop_horarios(user=stored, sedes=sedes, era_veterinario=stored.rol == Rol.VETERINARIO)


def _drop_horarios(*, user, sedes, era_veterinario):
    """A vet's horario rows live only at sedes they work at, and only while they are a vet: the
    rows at the sedes they leave (all of them when they stop being a vet) go with them, so
    `disponibilidad` offers nothing there. Through the reverse relation `User.horarios`
    (citas.HorarioAtencion): accounts never imports citas."""
    if user.rol == Rol.VETERINARIO and sedes:
        user.horarios.filter(sede__in=sedes).delete()
    elif user.rol != Rol.VETERINARIO and era_veterinario:
        user.horarios.all().delete()


@transaction.atomic
def user_create(*, actor, email, password, rol, cliente=None, sedes=None, **fields) -> User:
    """Creates a user; a `cliente` rol needs a Cliente not linked to anyone else, a vet or a
    receptionist the sedes they work at (`_resolve_sedes`)."""
    user = User(email=email, rol=rol, **fields)
    _check_email_free(user=user)
    _check_cliente_link(user=user, rol=rol, cliente=cliente)
    sedes = _resolve_sedes(rol=rol, sedes=sedes)
    _validate_password(password, user, field="password")
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.sedes.set(sedes)
    _link_cliente(user=user, cliente=cliente)
    sync_user_group(user)
    return user


@transaction.atomic
def user_update(*, actor, user, password=None, cliente=_UNSET, sedes=_UNSET, **fields) -> User:
    """Updates a user as an admin. Leaving rol `cliente` clears the link to the Cliente; a
    rol without sedes (admin, cliente) clears the user's sedes."""
    unknown = set(fields) - set(ADMIN_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Campos no editables: {sorted(unknown)}")
    if actor.pk == user.pk:
        if fields.get("is_active") is False:
            raise _invalid("is_active", _("No puede desactivar su propia cuenta."), "propia_cuenta")
        if fields.get("rol", Rol.ADMIN) != Rol.ADMIN:
            raise _invalid("rol", _("No puede quitarse a sí mismo el rol de administrador."), "propia_cuenta")
    stored = None
    if user.pk:
        # Bookings lock the vet's row before checking that the vet is active and works at the
        # sede (citas.services), so under this lock no cita can be added behind the checks.
        stored = lock_rows(User.objects.filter(pk=user.pk)).get()
        sedes_antes = set(stored.sedes.values_list("pk", flat=True))
        # `user` was read before the lock: what a concurrent write committed since (a
        # deactivation, a rol, a password) is what this edit starts from, not the stale copy.
        for campo in User._meta.concrete_fields:
            setattr(user, campo.attname, getattr(stored, campo.attname))
    if stored is not None and stored.is_active and fields.get("is_active") is False:
        _check_sin_citas_futuras(
            stored, message=_("El veterinario tiene citas pendientes; reasígnelas o cancélelas antes de desactivarlo.")
        )
    if stored is not None and "rol" in fields and fields["rol"] != stored.rol:
        _check_sin_citas_futuras(
            stored,
            message=_("El veterinario tiene citas pendientes; reasígnelas o cancélelas antes de cambiar su rol."),
        )

    for name, value in fields.items():
        setattr(user, name, value)
    current = getattr(user, "cliente", None)
    if user.rol != Rol.CLIENTE:
        cliente = None
    elif cliente is _UNSET:
        cliente = current
    _check_cliente_link(user=user, rol=user.rol, cliente=cliente)
    if sedes is _UNSET:
        sedes = list(user.sedes.all()) if user.pk else None
    sedes = _resolve_sedes(rol=user.rol, sedes=sedes)
    dejadas = set() if stored is None else sedes_antes - {sede.pk for sede in sedes}
    _check_puede_dejar(user=stored, sedes=dejadas)

    _check_email_free(user=user)
    if password:
        _validate_password(password, user, field="password")
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.sedes.set(sedes)
    _drop_horarios(user=user, sedes=dejadas, era_veterinario=stored is not None and stored.rol == Rol.VETERINARIO)
    _link_cliente(user=user, cliente=cliente)
    sync_user_group(user)
    if password or not user.is_active:
        revoke_refresh_tokens(user=user)
    return user


@transaction.atomic
def user_deactivate(*, actor, user) -> User:
    """DELETE on a user: it is deactivated, never removed, so its history keeps its author."""
    return user_update(actor=actor, user=user, is_active=False)


def profile_update(*, user, **fields) -> User:
    """What a user may change of their own profile (`PATCH /auth/me/`)."""
    fields = {k: v for k, v in fields.items() if k in PROFILE_FIELDS}
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    return user


@transaction.atomic
def password_change(*, user, password_actual, password_nueva) -> None:
    """Changes the caller's password; every token issued before stops working."""
    if not user.check_password(password_actual):
        raise _invalid("password_actual", _("La contraseña actual no es correcta."), "password_incorrecta")
    _validate_password(password_nueva, user, field="password_nueva")
    user.set_password(password_nueva)
    user.save(update_fields=["password"])
    revoke_refresh_tokens(user=user)
