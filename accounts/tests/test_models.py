import pytest
from django.core.management import call_command

from accounts.models import Rol, User

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_gives_rol_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Jefa@Clinica.test")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Clave-Muy-Segura-1")

    call_command("createsuperuser", "--noinput", verbosity=0)

    user = User.objects.get()
    assert user.email == "jefa@clinica.test"
    assert user.rol == Rol.ADMIN
    assert user.is_staff and user.is_superuser
    assert user.check_password("Clave-Muy-Segura-1")


@pytest.mark.parametrize(
    "rol,staff,superuser",
    [("admin", True, True), ("veterinario", True, False), ("recepcionista", True, False), ("cliente", False, False)],
)
def test_staff_and_superuser_follow_the_rol(rol, staff, superuser):
    user = User.objects.create_user("x@clinica.test", "Clave-Muy-Segura-1", rol=rol)

    assert (user.is_staff, user.is_superuser) == (staff, superuser)
