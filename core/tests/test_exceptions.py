"""Services' domain errors know nothing of HTTP; the API's handler and the admin translate them."""

import pytest
from rest_framework.exceptions import APIException

from core.exceptions import Conflict


def test_a_conflict_is_not_a_web_framework_exception():
    assert not issubclass(Conflict, APIException)
    assert Conflict.__module__ == "core.exceptions"


def test_a_conflict_carries_message_code_and_extra():
    exc = Conflict("Solapa", "solape_veterinario", extra={"citas": [3]})

    assert (str(exc), exc.code, exc.extra) == ("Solapa", "solape_veterinario", {"citas": [3]})


@pytest.mark.parametrize("module", ["exceptions.py", "services.py", "dates.py", "validators.py"])
def test_the_neutral_core_modules_import_no_web_framework(module):
    import ast
    from pathlib import Path

    for path in [Path(__file__).resolve().parents[1] / module]:
        imported = {
            node.module.split(".")[0]
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert "rest_framework" not in imported, path


@pytest.mark.django_db
def test_the_api_answers_a_conflict_with_409_and_its_extra(client_for, admin_user):
    from citas.tests.factories import BloqueoFactory, CitaFactory, manana_a_las

    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    bloqueo = BloqueoFactory(veterinario=cita.veterinario, inicio=manana_a_las(12), fin=manana_a_las(13))

    response = client_for(admin_user).patch(
        f"/api/v1/bloqueos/{bloqueo.pk}/", {"inicio": manana_a_las(9).isoformat()}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["citas"] == [cita.pk]
    assert [error["code"] for error in response.json()["errors"]] == ["bloqueo_con_citas"]
