
import pytest
from django.urls import reverse

from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


def test_changelist_lists_species_owner_and_age_without_n_plus_1(admin_web, django_assert_max_num_queries):
    PacienteFactory.create_batch(40)

    with django_assert_max_num_queries(8):
        response = admin_web.get(reverse("admin:pacientes_paciente_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 40


def test_search_by_owner_phone(admin_web):
    paciente = PacienteFactory(propietario__telefono="+34 633 444 555")
    PacienteFactory.create_batch(3)

    response = admin_web.get(reverse("admin:pacientes_paciente_changelist"), {"q": "633 444"})

    assert [p.id for p in response.context["cl"].result_list] == [paciente.id]


def test_owner_autocomplete_answers(admin_web):
    paciente = PacienteFactory(propietario__apellidos="Qwxyzquintana")

    response = admin_web.get(
        reverse("admin:autocomplete"),
        {"app_label": "pacientes", "model_name": "paciente", "field_name": "propietario", "term": "qwxyzq"},
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(paciente.propietario_id)]


def test_change_page_renders_with_read_only_timestamps(admin_web):
    paciente = PacienteFactory()

    response = admin_web.get(reverse("admin:pacientes_paciente_change", args=[paciente.id]))

    assert response.status_code == 200
    assert "creado_en" not in [f.name for f in response.context["adminform"].form]


def test_one_search_box_finds_by_name_microchip_owner_name_and_phone(admin_web):
    paciente = PacienteFactory(
        nombre="Qwertina",
        microchip="941000024681357",
        propietario__apellidos="Zyxbarrena",
        propietario__telefono="+34 655 987 001",
    )
    PacienteFactory.create_batch(3)

    for term in ("qwertina", "941000024681357", "zyxbarrena", "655 987 001"):
        response = admin_web.get(reverse("admin:pacientes_paciente_changelist"), {"q": term})
        assert [p.id for p in response.context["cl"].result_list] == [paciente.id], term


def test_paciente_microchip_rule_is_a_form_error(admin_web):
    paciente = PacienteFactory()
    otro = PacienteFactory()

    response = admin_web.post(
        reverse("admin:pacientes_paciente_change", args=[otro.id]),
        {
            "nombre": otro.nombre,
            "propietario": otro.propietario_id,
            "especie": otro.especie,
            "sexo": otro.sexo,
            "microchip": paciente.microchip,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
