"""A user's nombre and apellidos (they sign messages and show in citas) refuse control characters."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Rol, User
from accounts.tests.factories import UserFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/auth/me/"
USUARIOS_URL = "/api/v1/usuarios/"


@pytest.mark.parametrize("campo", ["nombre", "apellidos"])
def test_patch_me_with_a_line_break_in_a_name_is_400(client_for, veterinario, campo):
    # given a vet, when they put a line break in their own name
    response = client_for(veterinario).patch(ME_URL, {campo: "Luis\nBcc: x@evil.com"}, format="json")

    # then it is refused on that field with a stable code, and nothing changes
    assert response.status_code == 400
    assert error_codes(response) == {campo: ["caracteres_de_control"]}
    veterinario.refresh_from_db()
    assert "\n" not in getattr(veterinario, campo)


def test_admin_cannot_create_a_user_with_a_control_character_in_the_name(api_client):
    response = api_client(Rol.ADMIN).post(
        USUARIOS_URL,
        {"email": "nuevo@vetclinic.test", "nombre": "Eva\rSol", "rol": "recepcionista", "password": "Cl1nica-2026-x"},
        format="json",
    )

    assert response.status_code == 400
    assert error_codes(response) == {"nombre": ["caracteres_de_control"]}
    assert not User.objects.filter(email="nuevo@vetclinic.test").exists()


def test_the_model_refuses_it_too():
    user = UserFactory.build(apellidos="Sol\x1b[2J")

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert [e.code for e in error.value.error_dict["apellidos"]] == ["caracteres_de_control"]
