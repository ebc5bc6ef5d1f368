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
