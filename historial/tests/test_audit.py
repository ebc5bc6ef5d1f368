"""Every change to consultas and vacunas is kept: who, when and what."""

import pytest

from historial.models import Consulta, Vacuna
from historial.tests.factories import ConsultaFactory, VacunaFactory

pytestmark = pytest.mark.django_db


def test_consulta_changes_and_deletion_are_kept(client_for, veterinario, admin_user):
    consulta = ConsultaFactory(veterinario=veterinario)

    client_for(veterinario).patch(f"/api/v1/consultas/{consulta.id}/", {"diagnostico": "Otitis"})
    client_for(admin_user).delete(f"/api/v1/consultas/{consulta.id}/")

    entries = list(Consulta.history.filter(id=consulta.id).order_by("history_date"))
    assert [e.history_type for e in entries] == ["+", "~", "-"]
    assert entries[1].history_user == veterinario
    assert entries[1].diagnostico == "Otitis"
    assert entries[2].history_user == admin_user


def test_vacuna_update_is_audited(client_for, veterinario):
    vacuna = VacunaFactory()

    client_for(veterinario).patch(f"/api/v1/vacunas/{vacuna.id}/", {"lote": "ZX-1"})

    latest = Vacuna.history.filter(id=vacuna.id).latest()
    assert (latest.history_user, latest.lote) == (veterinario, "ZX-1")
