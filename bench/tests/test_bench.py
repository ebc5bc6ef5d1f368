"""The benchmark's reference views and dataset: hidden by default, same rows as the API, valid data."""

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Rol
from bench import dataset
from citas.models import ESTADOS_ACTIVOS, Cita
from citas.tests.factories import CitaFactory, manana_a_las
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory


def test_bench_views_are_not_mounted_without_bench_views(api_client):
    api = api_client(Rol.ADMIN)

    response = api.get("/bench/floor/pacientes/")

    assert response.status_code == 404


@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("query", [{}, {"search": "zyxwq"}, {"especie": "gato", "fallecido": "false"}])
def test_floor_and_peer_return_the_apis_pacientes(api_client, query):
    PacienteFactory.create_batch(3, especie="gato", nombre="Zyxwq")
    PacienteFactory.create_batch(2, especie="perro")
    api = api_client(Rol.ADMIN)

    answers = {
        kind: api.get(f"/{prefix}pacientes/", {**query, "page_size": 100}).json()
        for kind, prefix in (("api", "api/v1/"), ("floor", "bench/floor/"), ("peer", "bench/peer/"))
    }

    ids = {kind: [row["id"] for row in answer["results"]] for kind, answer in answers.items()}
    assert ids["floor"] == ids["api"] == ids["peer"]
    assert answers["floor"]["count"] == answers["api"]["count"] == len(ids["api"]) > 0


@pytest.mark.urls("bench.urls")
def test_floor_and_peer_return_the_apis_citas_of_a_day(api_client):
    first = CitaFactory(inicio=manana_a_las(10))
    CitaFactory(inicio=manana_a_las(11))
    fecha = timezone.localtime(first.inicio).date().isoformat()
    api = api_client(Rol.ADMIN)

    answers = {
        prefix: api.get(f"/{prefix}citas/", {"fecha": fecha, "page_size": 100}).json()
        for prefix in ("api/v1/", "bench/floor/", "bench/peer/")
    }

    assert len({tuple(row["id"] for row in a["results"]) for a in answers.values()}) == 1
    assert answers["api/v1/"]["count"] == 2


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes PostgreSQL SQL")
def test_generated_dataset_keeps_the_agenda_rules(db, settings):
    sizes = dataset.Sizes.at_scale(0.0005)

    dataset.generate(connection, sizes, tz=settings.TIME_ZONE, log=lambda _m: None, vacuum=False)

    assert Paciente.objects.count() == sizes.pacientes
    assert Cita.objects.count() == sizes.citas
    activas = Cita.objects.filter(estado__in=ESTADOS_ACTIVOS)
    assert not activas.filter(inicio__lt=timezone.now()).exists()
    # The exclusion constraints were rebuilt over the generated rows, so the rows respect them.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'citas_cita'::regclass AND contype = 'x'")
        assert cursor.fetchone()[0] == 2


def test_the_production_urlconf_has_no_benchmark_views():
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/bench/floor/pacientes/", urlconf="vetclinic.urls")


def test_the_deep_cursor_the_benchmark_builds_is_where_a_walk_gets(api_client, monkeypatch):
    from bench import run

    # given 9 citas, 2 a page, and a "deep" cursor page 4
    for _ in range(9):
        CitaFactory()
    monkeypatch.setattr(run, "DEEP_PAGE_SIZE", 2)
    monkeypatch.setattr(run, "DEEP_CURSOR_PAGE", 4)
    api = api_client(Rol.ADMIN)
    url = "/api/v1/citas/?paginacion=cursor&page_size=2"
    for _ in range(3):
        url = api.get(url).json()["next"]
    walked = api.get(url).json()["results"]

    paths = {p["mode"] + str(p["depth"]): p["path"] for p in run.deep_page_paths()}
    built = api.get(paths["cursor4"]).json()["results"]

    assert [c["id"] for c in built] == [c["id"] for c in walked]
    assert api.get(paths["page4"]).status_code == 200
