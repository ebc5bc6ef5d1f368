"""Every viewset of the API stands on the one base (api.viewsets), and a write answers what a
GET of the written object shows."""

import pytest

from api.viewsets import ScopedViewSetMixin
from vetclinic.urls import router

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix, viewset", [(prefix, viewset) for prefix, viewset, _name in router.registry])
def test_every_api_viewset_uses_the_base_viewset(prefix, viewset):
    assert issubclass(viewset, ScopedViewSetMixin), prefix
    assert viewset.selector is not None or "get_queryset" in vars(viewset), prefix


def test_a_write_answers_what_a_get_of_it_shows(client_for, veterinario):
    from pacientes.tests.factories import PacienteFactory

    api = client_for(veterinario)
    paciente = PacienteFactory()

    created = api.post("/api/v1/consultas/", {"paciente": paciente.pk, "motivo": "Revisión", "peso_kg": "12.40"})
    patched = api.patch(f"/api/v1/consultas/{created.json()['id']}/", {"diagnostico": "Sano"})
    shown = api.get(f"/api/v1/consultas/{created.json()['id']}/")

    assert created.status_code == 201 and patched.status_code == 200
    assert patched.json() == shown.json()
    assert {k: v for k, v in created.json().items() if k not in ("diagnostico", "actualizado_en")} == {
        k: v for k, v in shown.json().items() if k not in ("diagnostico", "actualizado_en")
    }


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def request_fields(schema, path, method):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return set(schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])


def response_fields(schema, path, method, status):
    ref = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return set(schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])


@pytest.mark.parametrize("resource", ["citas", "consultas", "vacunas"])
def test_the_schema_documents_each_write_body_from_its_input_serializer(schema, resource):
    # given a resource whose paciente is fixed once created
    collection, detail = f"/api/v1/{resource}/", f"/api/v1/{resource}/{{id}}/"

    # then a POST body names the paciente, a PUT or PATCH body does not, and every answer shows it
    assert "paciente" in request_fields(schema, collection, "post")
    assert "paciente" not in request_fields(schema, detail, "put")
    assert "paciente" not in request_fields(schema, detail, "patch")
    assert "paciente" in response_fields(schema, collection, "post", "201")
    assert "paciente" in response_fields(schema, detail, "patch", "200")
    # and nothing only the server sets is offered as input
    for method, path in [("post", collection), ("put", detail), ("patch", detail)]:
        assert not {"id", "creado_en", "actualizado_en"} & request_fields(schema, path, method), (method, path)


def test_a_paciente_sent_in_an_update_is_ignored_and_the_answer_is_the_output_shape(client_for, recepcionista):
    from citas.tests.factories import CitaFactory
    from pacientes.tests.factories import PacienteFactory

    # given a cita and another animal
    cita = CitaFactory()
    otro = PacienteFactory()

    # when staff PATCH it naming the other animal
    response = client_for(recepcionista).patch(
        f"/api/v1/citas/{cita.pk}/", {"paciente": otro.pk, "motivo": "Control"}, format="json"
    )

    # then the cita keeps its paciente, and the answer carries the output's read-only fields
    assert response.status_code == 200, response.content
    cita.refresh_from_db()
    assert (cita.paciente_id, cita.motivo) == (response.json()["paciente"], "Control")
    assert cita.paciente_id != otro.pk
    assert {"paciente_nombre", "cliente", "veterinario_nombre", "estado", "duracion_minutos"} <= set(response.json())
