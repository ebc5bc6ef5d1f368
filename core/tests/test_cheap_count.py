"""List counts: exact when filtered or small; PostgreSQL's estimate on big unfiltered tables."""

import pytest
from django.db import connection

from accounts.models import Rol
from core import pagination
from pacientes.tests.factories import PacienteFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from pg_class")


@pytest.fixture
def staff_api(api_client):
    return api_client(Rol.ADMIN)


def test_small_unfiltered_list_is_counted_exactly(db, staff_api):
    PacienteFactory.create_batch(3)

    response = staff_api.get("/api/v1/pacientes/")

    assert response.json()["count"] == 3


@postgres_only
def test_big_unfiltered_list_reports_the_planner_estimate(db, staff_api, monkeypatch):
    PacienteFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pacientes_paciente")
    monkeypatch.setattr(pagination, "COUNT_ESTIMATE_FROM", 1)

    response = staff_api.get("/api/v1/pacientes/", {"page_size": 2})

    assert response.json()["count"] == 5
    assert len(response.json()["results"]) == 2


@postgres_only
def test_filtered_list_is_counted_exactly_whatever_the_table_size(db, staff_api, monkeypatch):
    PacienteFactory.create_batch(4, especie="gato")
    PacienteFactory.create_batch(2, especie="perro")
    monkeypatch.setattr(pagination, "COUNT_ESTIMATE_FROM", 1)

    response = staff_api.get("/api/v1/pacientes/", {"especie": "gato"})

    assert response.json()["count"] == 4
