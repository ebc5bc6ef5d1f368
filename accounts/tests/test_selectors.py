import pytest

from accounts.models import Rol
from accounts.selectors import es_veterinario_activo, veterinarios
from accounts.tests.factories import UserFactory, VeterinarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def usuarios():
    return {
        "activo": VeterinarioFactory(),
        "inactivo": VeterinarioFactory(is_active=False),
        "recepcion": UserFactory(rol=Rol.RECEPCIONISTA),
    }


def test_veterinarios_are_the_active_vets_only(usuarios):
    assert list(veterinarios()) == [usuarios["activo"]]


def test_veterinarios_not_only_active_adds_the_deactivated_vets(usuarios):
    assert set(veterinarios(solo_activos=False)) == {usuarios["activo"], usuarios["inactivo"]}


def test_es_veterinario_activo_agrees_with_veterinarios(usuarios):
    assert {name for name, user in usuarios.items() if es_veterinario_activo(user)} == {"activo"}
