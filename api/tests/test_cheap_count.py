"""List counts: exact when filtered or small; PostgreSQL's estimate on big unfiltered tables."""

import pytest
from django.db import connection

from accounts.models import Rol
from api import pagination
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from pg_class")


@pytest.fixture
def staff_api(api_client):
    return api_client(Rol.ADMIN)


def test_small_unfiltered_list_is_counted_exactly(db, staff_api):
    PacienteFactory.create_batch(3)

    response = staff_api.get("/api/v1/pacientes/")

    assert response.json()["count"] == 3
    assert response.json()["count_estimado"] is False


@postgres_only
def test_big_unfiltered_list_reports_the_planner_estimate(db, staff_api, monkeypatch):
    # given statistics taken with 5 rows, then 2 rows deleted (the table keeps its pages,
    # so the estimate stays at 5 while an exact count would say 3)
    pacientes = PacienteFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pacientes_paciente")
    Paciente.objects.filter(pk__in=[p.pk for p in pacientes[:2]]).delete()
    monkeypatch.setattr(pagination, "COUNT_ESTIMATE_FROM", 1)

    response = staff_api.get("/api/v1/pacientes/", {"page_size": 2})

    # then the count is the estimate, not COUNT(*), flagged as such, and the page holds real rows
    assert response.json()["count"] == 5
    assert response.json()["count_estimado"] is True
    assert len(response.json()["results"]) == 2


@postgres_only
def test_filtered_list_is_counted_exactly_whatever_the_table_size(db, staff_api, monkeypatch):
    PacienteFactory.create_batch(4, especie="gato")
    PacienteFactory.create_batch(2, especie="perro")
    monkeypatch.setattr(pagination, "COUNT_ESTIMATE_FROM", 1)

    response = staff_api.get("/api/v1/pacientes/", {"especie": "gato"})

    assert response.json()["count"] == 4
    assert response.json()["count_estimado"] is False


@postgres_only
def test_an_estimate_below_the_real_count_still_pages_through_every_row(db, staff_api, monkeypatch):
    # given a table whose statistics say 3 rows while it holds 7
    PacienteFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pacientes_paciente")
    PacienteFactory.create_batch(4)
    monkeypatch.setattr(pagination, "COUNT_ESTIMATE_FROM", 1)
    monkeypatch.setattr(pagination.CheapCountPaginator, "_estimated_or_exact", staticmethod(lambda c, t: (3, True)))

    # when a client follows `next` from the first page
    seen, url = [], "/api/v1/pacientes/?page_size=2"
    while url:
        body = staff_api.get(url).json()
        seen += [p["id"] for p in body["results"]]
        url = body["next"]

    # then it sees every row once, whatever the estimate said
    assert body["count"] == 3
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 7


@postgres_only
def test_an_estimated_list_answers_404_past_its_last_row(db, staff_api, monkeypatch):
    PacienteFactory.create_batch(3)
    monkeypatch.setattr(pagination.CheapCountPaginator, "_estimated_or_exact", staticmethod(lambda c, t: (50, True)))

    assert staff_api.get("/api/v1/pacientes/", {"page_size": 2, "page": 2}).json()["next"] is None
    assert staff_api.get("/api/v1/pacientes/", {"page_size": 2, "page": 3}).status_code == 404
    assert staff_api.get("/api/v1/pacientes/", {"page_size": 2, "page": "x"}).status_code == 404
