"""accounts.services, called directly: the rules on users, their links to clientes and their
credentials (the API's tests go through the same functions: test_api_usuarios, test_api_auth)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.models import Rol, User
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    ClienteUserFactory,
    RecepcionistaFactory,
    UserFactory,
    VeterinarioFactory,
)
from clientes.tests.factories import ClienteConUsuarioFactory, ClienteFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Otra-Clave-Segura-2027"


def error_fields(raised):
    """The fields a ValidationError names."""
    return set(raised.value.message_dict)


def refreshed(user):
    return User.objects.get(pk=user.pk)


def live_refresh_tokens(user):
    return OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).count()


# --- user_create ---------------------------------------------------------------------------------


def test_user_create_stores_a_hashed_password_and_a_lowercase_email():
    admin = AdminFactory()

    user = services.user_create(actor=admin, email="Ana.Sol@Clinica.TEST", password=NEW_PASSWORD, rol=Rol.VETERINARIO)

    stored = refreshed(user)
    assert stored.email == "ana.sol@clinica.test"
    assert stored.password != NEW_PASSWORD
    assert stored.check_password(NEW_PASSWORD)


def test_user_create_puts_the_user_in_the_group_of_its_rol():
    user = services.user_create(
        actor=AdminFactory(), email="vet@clinica.test", password=NEW_PASSWORD, rol=Rol.VETERINARIO
    )

    assert list(user.groups.values_list("name", flat=True)) == [Rol.VETERINARIO]


def test_user_create_refuses_an_email_taken_in_another_case():
    UserFactory(email="ana@clinica.test")

    with pytest.raises(ValidationError) as raised:
        services.user_create(
            actor=AdminFactory(), email="ANA@clinica.test", password=NEW_PASSWORD, rol=Rol.RECEPCIONISTA
        )

    assert error_fields(raised) == {"email"}
    assert User.objects.filter(email__iexact="ana@clinica.test").count() == 1


def test_user_create_refuses_a_weak_password_on_the_password_field():
    with pytest.raises(ValidationError) as raised:
        services.user_create(actor=AdminFactory(), email="nuevo@clinica.test", password="123", rol=Rol.RECEPCIONISTA)

    assert error_fields(raised) == {"password"}
    assert not User.objects.filter(email="nuevo@clinica.test").exists()


def test_user_create_validates_the_model_fields():
    with pytest.raises(ValidationError) as raised:
        services.user_create(
            actor=AdminFactory(),
            email="nuevo@clinica.test",
            password=NEW_PASSWORD,
            rol=Rol.RECEPCIONISTA,
            nombre="Ana\nBcc",
        )

    assert error_fields(raised) == {"nombre"}
    assert not User.objects.filter(email="nuevo@clinica.test").exists()


def test_user_create_with_rol_cliente_links_the_cliente():
    cliente = ClienteFactory()

    user = services.user_create(
        actor=AdminFactory(), email="dueno@correo.test", password=NEW_PASSWORD, rol=Rol.CLIENTE, cliente=cliente
    )

    cliente.refresh_from_db()
    assert cliente.usuario == user


def test_user_create_with_rol_cliente_needs_a_cliente():
    with pytest.raises(ValidationError) as raised:
        services.user_create(actor=AdminFactory(), email="dueno@correo.test", password=NEW_PASSWORD, rol=Rol.CLIENTE)

    assert error_fields(raised) == {"cliente"}
    assert not User.objects.filter(email="dueno@correo.test").exists()


def test_user_create_of_a_staff_rol_refuses_a_cliente():
    cliente = ClienteFactory()

    with pytest.raises(ValidationError) as raised:
        services.user_create(
            actor=AdminFactory(), email="vet@clinica.test", password=NEW_PASSWORD, rol=Rol.VETERINARIO, cliente=cliente
        )

    assert error_fields(raised) == {"cliente"}
    cliente.refresh_from_db()
    assert cliente.usuario is None


def test_user_create_refuses_a_cliente_linked_to_another_user():
    cliente = ClienteConUsuarioFactory()
    owner = cliente.usuario

    with pytest.raises(ValidationError) as raised:
        services.user_create(
            actor=AdminFactory(), email="otro@correo.test", password=NEW_PASSWORD, rol=Rol.CLIENTE, cliente=cliente
        )

    assert error_fields(raised) == {"cliente"}
    cliente.refresh_from_db()
    assert cliente.usuario == owner
    assert not User.objects.filter(email="otro@correo.test").exists()


# --- user_update -----------------------------------------------------------------------------------


def test_user_update_refuses_fields_an_admin_may_not_edit():
    user = RecepcionistaFactory()

    with pytest.raises(ValueError):
        services.user_update(actor=AdminFactory(), user=user, tokens_validos_desde=None)


def test_user_update_changes_the_editable_fields():
    user = RecepcionistaFactory(nombre="Ana")

    services.user_update(actor=AdminFactory(), user=user, nombre="Berta", telefono="+34 600 111 222")

    stored = refreshed(user)
    assert (stored.nombre, stored.telefono) == ("Berta", "+34 600 111 222")


def test_an_edit_from_a_copy_read_before_a_concurrent_write_keeps_that_write():
    # given a copy of a user read before another admin deactivated them and changed the password
    user = RecepcionistaFactory(nombre="Ana")
    copia = refreshed(user)
    services.user_update(actor=AdminFactory(), user=refreshed(user), is_active=False, password=NEW_PASSWORD)

    # when an edit of the name is made from the old copy
    services.user_update(actor=AdminFactory(), user=copia, nombre="Berta")

    # then the deactivation and the new password stand
    stored = refreshed(user)
    assert (stored.nombre, stored.is_active, stored.check_password(NEW_PASSWORD)) == ("Berta", False, True)


def test_an_admin_cannot_deactivate_themselves():
    admin = AdminFactory()

    with pytest.raises(ValidationError) as raised:
        services.user_update(actor=admin, user=admin, is_active=False)

    assert error_fields(raised) == {"is_active"}
    assert refreshed(admin).is_active


def test_an_admin_cannot_take_their_own_admin_rol_away():
    admin = AdminFactory()

    with pytest.raises(ValidationError) as raised:
        services.user_update(actor=admin, user=admin, rol=Rol.RECEPCIONISTA)

    assert error_fields(raised) == {"rol"}
    assert refreshed(admin).rol == Rol.ADMIN


def test_an_admin_may_change_the_rol_of_another_admin():
    other = AdminFactory()

    services.user_update(actor=AdminFactory(), user=other, rol=Rol.RECEPCIONISTA)

    assert refreshed(other).rol == Rol.RECEPCIONISTA


def test_user_update_moves_the_user_to_the_group_of_its_new_rol():
    user = RecepcionistaFactory()

    services.user_update(actor=AdminFactory(), user=user, rol=Rol.VETERINARIO)

    assert list(refreshed(user).groups.values_list("name", flat=True)) == [Rol.VETERINARIO]
    assert not Group.objects.get(name=Rol.RECEPCIONISTA).user_set.filter(pk=user.pk).exists()


def test_user_update_refuses_an_email_of_another_user_in_any_case():
    UserFactory(email="ana@clinica.test")
    user = UserFactory(email="berta@clinica.test")

    with pytest.raises(ValidationError) as raised:
        services.user_update(actor=AdminFactory(), user=user, email="Ana@Clinica.test")

    assert error_fields(raised) == {"email"}
    assert refreshed(user).email == "berta@clinica.test"


def test_user_update_accepts_the_users_own_email_in_another_case():
    user = UserFactory(email="berta@clinica.test")

    services.user_update(actor=AdminFactory(), user=user, email="BERTA@clinica.test")

    assert refreshed(user).email == "berta@clinica.test"


def test_leaving_rol_cliente_releases_the_cliente():
    cliente = ClienteConUsuarioFactory()
    user = cliente.usuario

    services.user_update(actor=AdminFactory(), user=user, rol=Rol.RECEPCIONISTA)

    cliente.refresh_from_db()
    assert cliente.usuario is None
    assert refreshed(user).rol == Rol.RECEPCIONISTA


def test_becoming_a_cliente_needs_a_cliente():
    user = RecepcionistaFactory()

    with pytest.raises(ValidationError) as raised:
        services.user_update(actor=AdminFactory(), user=user, rol=Rol.CLIENTE)

    assert error_fields(raised) == {"cliente"}
    assert refreshed(user).rol == Rol.RECEPCIONISTA


def test_relinking_a_cliente_user_releases_the_previous_cliente():
    antes = ClienteConUsuarioFactory()
    user = antes.usuario
    despues = ClienteFactory()

    services.user_update(actor=AdminFactory(), user=user, cliente=despues)

    antes.refresh_from_db()
    despues.refresh_from_db()
    assert antes.usuario is None
    assert despues.usuario == user


def test_a_cliente_user_cannot_take_a_cliente_linked_to_someone_else():
    user = ClienteConUsuarioFactory().usuario
    ajeno = ClienteConUsuarioFactory()

    with pytest.raises(ValidationError) as raised:
        services.user_update(actor=AdminFactory(), user=user, cliente=ajeno)

    assert error_fields(raised) == {"cliente"}
    ajeno.refresh_from_db()
    assert ajeno.usuario != user


def test_a_new_password_is_stored_and_kills_every_token_issued_before():
    user = RecepcionistaFactory()
    RefreshToken.for_user(user)

    services.user_update(actor=AdminFactory(), user=user, password=NEW_PASSWORD)

    stored = refreshed(user)
    assert stored.check_password(NEW_PASSWORD)
    assert live_refresh_tokens(user) == 0
    assert stored.tokens_validos_desde is not None


def test_a_weak_new_password_is_refused_and_the_old_one_kept():
    user = RecepcionistaFactory()

    with pytest.raises(ValidationError) as raised:
        services.user_update(actor=AdminFactory(), user=user, password="123")

    assert error_fields(raised) == {"password"}
    assert refreshed(user).check_password(DEFAULT_PASSWORD)


def test_an_edit_without_password_keeps_the_users_sessions():
    user = RecepcionistaFactory()
    RefreshToken.for_user(user)

    services.user_update(actor=AdminFactory(), user=user, nombre="Otro")

    assert live_refresh_tokens(user) == 1
    assert refreshed(user).tokens_validos_desde is None


# --- user_deactivate ----------------------------------------------------------------------------------


def test_user_deactivate_keeps_the_row_and_kills_its_tokens():
    user = VeterinarioFactory()
    RefreshToken.for_user(user)

    services.user_deactivate(actor=AdminFactory(), user=user)

    stored = refreshed(user)
    assert stored.is_active is False
    assert live_refresh_tokens(user) == 0
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    assert stored.tokens_validos_desde is not None


def test_an_admin_cannot_deactivate_their_own_account():
    admin = AdminFactory()

    with pytest.raises(ValidationError) as raised:
        services.user_deactivate(actor=admin, user=admin)

    assert error_fields(raised) == {"is_active"}
    assert refreshed(admin).is_active


# --- profile_update ---------------------------------------------------------------------------------


def test_profile_update_changes_only_the_profile_fields():
    user = RecepcionistaFactory(nombre="Ana", email="ana@clinica.test")

    services.profile_update(user=user, nombre="Berta", rol=Rol.ADMIN, email="otra@clinica.test", is_active=False)

    stored = refreshed(user)
    assert stored.nombre == "Berta"
    assert (stored.rol, stored.email, stored.is_active) == (Rol.RECEPCIONISTA, "ana@clinica.test", True)


def test_profile_update_validates_the_fields():
    user = RecepcionistaFactory(nombre="Ana")

    with pytest.raises(ValidationError) as raised:
        services.profile_update(user=user, nombre="Ana\r\nBcc: x@evil.test")

    assert error_fields(raised) == {"nombre"}
    assert refreshed(user).nombre == "Ana"


# --- password_change ---------------------------------------------------------------------------------


def test_password_change_needs_the_current_password():
    user = ClienteUserFactory()

    with pytest.raises(ValidationError) as raised:
        services.password_change(user=user, password_actual="no-es-esta", password_nueva=NEW_PASSWORD)

    assert error_fields(raised) == {"password_actual"}
    assert refreshed(user).check_password(DEFAULT_PASSWORD)


def test_password_change_refuses_a_weak_new_password_on_its_field():
    user = RecepcionistaFactory()

    with pytest.raises(ValidationError) as raised:
        services.password_change(user=user, password_actual=DEFAULT_PASSWORD, password_nueva="12345678")

    assert error_fields(raised) == {"password_nueva"}
    assert refreshed(user).check_password(DEFAULT_PASSWORD)


def test_password_change_stores_the_new_password_and_kills_every_token():
    user = RecepcionistaFactory()
    RefreshToken.for_user(user)
    RefreshToken.for_user(user)

    services.password_change(user=user, password_actual=DEFAULT_PASSWORD, password_nueva=NEW_PASSWORD)

    stored = refreshed(user)
    assert stored.check_password(NEW_PASSWORD)
    assert live_refresh_tokens(user) == 0
    assert stored.tokens_validos_desde is not None


# --- logout ---------------------------------------------------------------------------------------------


def test_logout_blacklists_that_refresh_token_only_and_kills_the_access_tokens():
    user = RecepcionistaFactory()
    session = RefreshToken.for_user(user)
    other_session = RefreshToken.for_user(user)

    services.logout(refresh_token=RefreshToken(str(session)))

    blacklisted = set(BlacklistedToken.objects.filter(token__user=user).values_list("token__jti", flat=True))
    assert blacklisted == {session["jti"]}
    assert other_session["jti"] not in blacklisted
    assert refreshed(user).tokens_validos_desde is not None
