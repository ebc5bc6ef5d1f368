import datetime

import pytest
from django.utils import timezone

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas.models import EstadoCita
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory
from sedes.tests.factories import zona_de_la_sede_principal

pytestmark = pytest.mark.django_db

URL = "/api/v1/citas/disponibilidad/"
# A Monday far from today, so "now" never cuts the day.
LUNES = datetime.date(2031, 5, 5)


def at(hora, minuto=0, dia=LUNES):
    return datetime.datetime.combine(dia, datetime.time(hora, minuto), tzinfo=timezone.get_current_timezone())


def horas(response):
    return [
        timezone.localtime(datetime.datetime.fromisoformat(h["inicio"])).strftime("%H:%M")
        for h in response.json()["huecos"]
    ]


@pytest.fixture
def vet(db):
    return VeterinarioFactory()


@pytest.fixture
def api(api_client):
    return api_client(Rol.RECEPCIONISTA)


def test_slots_of_a_vet_with_a_horario(api, vet):
    HorarioFactory(veterinario=vet, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(10))

    response = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat(), "duracion": 30})

    assert response.status_code == 200
    assert response.json()["veterinario"] == vet.id
    assert response.json()["fecha"] == LUNES.isoformat()
    assert response.json()["duracion"] == 30
    assert horas(response) == ["09:00", "09:15", "09:30"]


def test_split_shift(api, vet, settings):
    settings.SLOT_MINUTES = 60
    HorarioFactory(veterinario=vet, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(11))
    HorarioFactory(veterinario=vet, dia_semana=0, hora_inicio=datetime.time(16), hora_fin=datetime.time(17))

    response = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat(), "duracion": 60})

    assert horas(response) == ["09:00", "10:00", "16:00"]


def test_a_vet_with_rows_but_none_that_day_is_off(api, vet):
    HorarioFactory(veterinario=vet, dia_semana=1)

    response = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat()})

    assert response.json()["huecos"] == []


def test_a_vet_without_rows_uses_clinic_hours(api, vet, settings):
    settings.CLINIC_HOURS = "0=10:00-11:00;6=10:00-10:30"
    settings.SLOT_MINUTES = 30

    monday = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat()})
    tuesday = api.get(URL, {"veterinario": vet.id, "fecha": (LUNES + datetime.timedelta(days=1)).isoformat()})

    assert horas(monday) == ["10:00", "10:30"]
    assert horas(tuesday) == []


def test_default_clinic_hours_are_weekdays_nine_to_six(api, vet, settings):
    settings.SLOT_MINUTES = 60

    response = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat(), "duracion": 60})
    saturday = api.get(URL, {"veterinario": vet.id, "fecha": (LUNES + datetime.timedelta(days=5)).isoformat()})

    assert horas(response) == [f"{h:02d}:00" for h in range(9, 18)]
    assert saturday.json()["huecos"] == []


def test_active_citas_and_bloqueos_are_left_out(api, vet, settings):
    settings.SLOT_MINUTES = 30
    HorarioFactory(veterinario=vet, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(12))
    CitaFactory(veterinario=vet, inicio=at(9, 30), fin=at(10))
    CitaFactory(veterinario=vet, inicio=at(10), fin=at(10, 30), estado=EstadoCita.CANCELADA)
    BloqueoFactory(veterinario=vet, inicio=at(11), fin=at(15))

    response = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat(), "duracion": 30})

    assert horas(response) == ["09:00", "10:00", "10:30"]


def test_a_bloqueo_spanning_days_blocks_the_whole_day(api, vet):
    BloqueoFactory(
        veterinario=vet,
        inicio=at(0, 0, LUNES - datetime.timedelta(days=3)),
        fin=at(0, 0, LUNES + datetime.timedelta(days=2)),
    )

    assert api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat()}).json()["huecos"] == []


def test_nothing_in_the_past(api, vet):
    hoy = timezone.localdate()
    HorarioFactory(
        veterinario=vet, dia_semana=hoy.weekday(), hora_inicio=datetime.time(0, 0), hora_fin=datetime.time(23, 59)
    )

    response = api.get(URL, {"veterinario": vet.id, "fecha": hoy.isoformat()})
    ayer = api.get(URL, {"veterinario": vet.id, "fecha": (hoy - datetime.timedelta(days=1)).isoformat()})

    now = timezone.now()
    assert all(
        datetime.datetime.fromisoformat(h["inicio"]) >= now - datetime.timedelta(seconds=5)
        for h in response.json()["huecos"]
    )
    assert ayer.json()["huecos"] == []


@pytest.mark.parametrize("zona", ["America/Bogota", "Europe/Madrid", "Asia/Tokyo"])
def test_slots_are_local_times_of_the_sede(api, vet, settings, zona):
    tz = zona_de_la_sede_principal(zona)
    settings.SLOT_MINUTES = 60
    HorarioFactory(veterinario=vet, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(11))

    response = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat(), "duracion": 60})

    starts = [datetime.datetime.fromisoformat(h["inicio"]) for h in response.json()["huecos"]]
    assert [s.astimezone(tz).hour for s in starts] == [9, 10]


def test_dst_change_day_in_madrid(api, vet, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    zona_de_la_sede_principal("Europe/Madrid")
    settings.SLOT_MINUTES = 60
    domingo = datetime.date(2031, 3, 30)  # 02:00 -> 03:00
    HorarioFactory(veterinario=vet, dia_semana=6, hora_inicio=datetime.time(1), hora_fin=datetime.time(5))

    response = api.get(URL, {"veterinario": vet.id, "fecha": domingo.isoformat(), "duracion": 60})

    starts = [datetime.datetime.fromisoformat(h["inicio"]) for h in response.json()["huecos"]]
    assert [s.strftime("%H:%M%z") for s in starts] == ["01:00+0100", "03:00+0200", "04:00+0200"]


@pytest.mark.parametrize(
    "params",
    [
        {"fecha": LUNES.isoformat()},
        {"veterinario": "vet", "fecha": "05/05/2031"},
        {"veterinario": "vet", "fecha": LUNES.isoformat(), "duracion": 4},
        {"veterinario": "vet", "fecha": LUNES.isoformat(), "duracion": 481},
        {"veterinario": "recep", "fecha": LUNES.isoformat()},
        {"veterinario": 999999, "fecha": LUNES.isoformat()},
        {"veterinario": "abc", "fecha": LUNES.isoformat()},
    ],
)
def test_bad_parameters_are_400(api, vet, params):
    recep = UserFactory(rol=Rol.RECEPCIONISTA)
    params = {**params}
    if params.get("veterinario") == "vet":
        params["veterinario"] = vet.id
    elif params.get("veterinario") == "recep":
        params["veterinario"] = recep.id

    assert api.get(URL, params).status_code == 400


@pytest.mark.parametrize("rol", list(Rol))
def test_every_role_may_ask(api_client, vet, rol):
    assert api_client(rol).get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat()}).status_code == 200


def test_constant_number_of_queries(api, vet, django_assert_max_num_queries):
    HorarioFactory(veterinario=vet, dia_semana=0, hora_inicio=datetime.time(8), hora_fin=datetime.time(20))
    for hora in range(8, 19):
        CitaFactory(veterinario=vet, inicio=at(hora), fin=at(hora, 20))
    BloqueoFactory(veterinario=vet, inicio=at(19), fin=at(20))

    with django_assert_max_num_queries(5):
        response = api.get(URL, {"veterinario": vet.id, "fecha": LUNES.isoformat()})

    assert response.status_code == 200
