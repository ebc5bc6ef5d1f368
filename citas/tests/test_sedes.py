"""Citas and horarios of a chain: each belongs to a sede, staff see only the sedes they work
at, a vet is in one place at a time, and local times are those of the sede's zone."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Rol
from accounts.services import personal_leave_sedes
from accounts.tests.factories import RecepcionistaFactory, VeterinarioFactory
from citas.models import Cita
from citas.tests.factories import CitaFactory, HorarioFactory, manana_a_las
from clientes.tests.factories import ClienteConUsuarioFactory
from conftest import bearer, run_at_once
from core.exceptions import Conflict
from historial.tests.factories import ConsultaFactory
from pacientes.tests.factories import PacienteFactory
from sedes import services as sedes_services
from sedes.tests.factories import SedeFactory, sede_principal
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
CANARIAS = zoneinfo.ZoneInfo("Atlantic/Canary")


@pytest.fixture
def vet_de_las_dos(madrid, canarias):
    return VeterinarioFactory(sedes=[madrid, canarias])


def reserva(paciente, vet, inicio, sede=None, **extra):
    data = {"paciente": paciente.id, "veterinario": vet.id, "inicio": inicio.isoformat(), "motivo": "Control", **extra}
    if sede is not None:
        data["sede"] = sede.id
    return data


# --- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rol", [Rol.VETERINARIO, Rol.RECEPCIONISTA])
@pytest.mark.parametrize("path", ["/api/v1/citas/", "/api/v1/horarios/"])
def test_staff_of_another_sede_do_not_see_its_citas_and_horarios(client_for, madrid, canarias, rol, path):
    de_canarias = VeterinarioFactory(sedes=[canarias])
    objeto = (CitaFactory if "citas" in path else HorarioFactory)(sede=canarias, veterinario=de_canarias)
    de_madrid = (VeterinarioFactory if rol == Rol.VETERINARIO else RecepcionistaFactory)(sedes=[madrid])
    api = client_for(de_madrid)

    assert objeto.id not in [row["id"] for row in api.get(path).json()["results"]]
    assert api.get(f"{path}{objeto.id}/").status_code == 404
    assert api.patch(f"{path}{objeto.id}/", {"notas": "x"}, format="json").status_code in (403, 404)


@pytest.mark.parametrize("rol", [Rol.VETERINARIO, Rol.RECEPCIONISTA])
def test_staff_see_the_citas_of_every_sede_they_work_at(client_for, madrid, canarias, rol):
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    citas = [CitaFactory(sede=madrid, veterinario=vet), CitaFactory(sede=canarias, veterinario=vet)]
    usuario = vet if rol == Rol.VETERINARIO else RecepcionistaFactory(sedes=[madrid, canarias])

    ids = {row["id"] for row in client_for(usuario).get("/api/v1/citas/").json()["results"]}

    assert ids == {c.id for c in citas}


def test_an_admin_sees_every_sede(api_client, madrid, canarias):
    citas = [CitaFactory(sede=madrid), CitaFactory(sede=canarias, veterinario=VeterinarioFactory(sedes=[canarias]))]

    ids = {row["id"] for row in api_client(Rol.ADMIN).get("/api/v1/citas/").json()["results"]}

    assert ids == {c.id for c in citas}


def test_the_clinical_record_belongs_to_the_whole_organisation(client_for, madrid, canarias):
    consulta = ConsultaFactory(sede=canarias)
    de_madrid = VeterinarioFactory(sedes=[madrid])

    response = client_for(de_madrid).get(f"/api/v1/consultas/{consulta.id}/")

    assert response.status_code == 200
    assert response.json()["sede"] == canarias.id


def test_the_sede_filter_and_sede_nombre(client_for, madrid, canarias, vet_de_las_dos):
    en_canarias = CitaFactory(sede=canarias, veterinario=vet_de_las_dos)
    CitaFactory(sede=madrid, veterinario=vet_de_las_dos)

    response = client_for(vet_de_las_dos).get("/api/v1/citas/", {"sede": canarias.id})

    assert [(row["id"], row["sede"], row["sede_nombre"]) for row in response.json()["results"]] == [
        (en_canarias.id, canarias.id, "Las Palmas")
    ]


def test_filtering_by_a_sede_that_does_not_exist_is_400(api_client):
    response = api_client(Rol.RECEPCIONISTA).get("/api/v1/citas/", {"sede": 999999})

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["invalid_choice"]}


# --- booking at a sede ------------------------------------------------------------------------


def test_with_one_active_sede_a_v1_booking_without_sede_lands_there(api_client):
    vet = VeterinarioFactory()

    response = api_client(Rol.RECEPCIONISTA).post(
        "/api/v1/citas/", reserva(PacienteFactory(), vet, manana_a_las(10)), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["sede"] == sede_principal().id


def test_with_several_active_sedes_the_sede_is_required(api_client, vet_de_las_dos):
    response = api_client(Rol.ADMIN).post(
        "/api/v1/citas/", reserva(PacienteFactory(), vet_de_las_dos, manana_a_las(10)), format="json"
    )

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["required"]}


def test_the_vet_must_work_at_the_citas_sede(api_client, madrid, canarias):
    de_madrid = VeterinarioFactory(sedes=[madrid])

    response = api_client(Rol.ADMIN).post(
        "/api/v1/citas/", reserva(PacienteFactory(), de_madrid, manana_a_las(10), sede=canarias), format="json"
    )

    assert response.status_code == 400
    assert error_codes(response) == {"veterinario": ["veterinario_otra_sede"]}
    assert not Cita.objects.exists()


def test_a_receptionist_books_only_at_their_sedes(client_for, madrid, canarias, vet_de_las_dos):
    recepcion = RecepcionistaFactory(sedes=[madrid])

    response = client_for(recepcion).post(
        "/api/v1/citas/", reserva(PacienteFactory(), vet_de_las_dos, manana_a_las(10), sede=canarias), format="json"
    )

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["sede_no_permitida"]}


def test_an_inactive_sede_takes_no_bookings(api_client, madrid, canarias, vet_de_las_dos):
    canarias.activo = False
    canarias.save()

    response = api_client(Rol.ADMIN).post(
        "/api/v1/citas/", reserva(PacienteFactory(), vet_de_las_dos, manana_a_las(10), sede=canarias), format="json"
    )

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["sede_inactiva"]}


def test_a_vet_is_double_booked_across_two_sedes_never(api_client, madrid, canarias, vet_de_las_dos):
    api = api_client(Rol.ADMIN)
    inicio = manana_a_las(10)
    primera = api.post("/api/v1/citas/", reserva(PacienteFactory(), vet_de_las_dos, inicio, sede=madrid), format="json")

    segunda = api.post(
        "/api/v1/citas/",
        reserva(PacienteFactory(), vet_de_las_dos, inicio + datetime.timedelta(minutes=15), sede=canarias),
        format="json",
    )

    assert primera.status_code == 201
    assert segunda.status_code == 409
    assert error_codes(segunda) == {None: ["solape_veterinario"]}


def test_moving_a_cita_to_a_sede_where_its_vet_does_not_work_is_400(api_client, madrid, canarias):
    cita = CitaFactory(sede=madrid, veterinario=VeterinarioFactory(sedes=[madrid]))

    response = api_client(Rol.ADMIN).patch(f"/api/v1/citas/{cita.id}/", {"sede": canarias.id}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"veterinario": ["veterinario_otra_sede"]}
    cita.refresh_from_db()
    assert cita.sede == madrid


def test_an_owner_cannot_book_at_a_sede_without_online_booking(client_for, madrid, settings):
    settings.SLOT_MINUTES = 30
    madrid.reserva_online = False
    madrid.save()
    vet = VeterinarioFactory(sedes=[madrid])
    HorarioFactory(veterinario=vet, sede=madrid, dia_semana=manana_a_las(10).weekday(), hora_inicio=datetime.time(9))
    cliente = ClienteConUsuarioFactory()
    paciente = PacienteFactory(propietario=cliente)

    response = client_for(cliente.usuario).post(
        "/api/v1/citas/", reserva(paciente, vet, manana_a_las(10), sede=madrid, duracion_minutos=30), format="json"
    )

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["hueco_no_disponible"]}


# --- horarios ---------------------------------------------------------------------------------


def test_horarios_of_one_vet_may_not_overlap_across_sedes(api_client, madrid, canarias, vet_de_las_dos):
    HorarioFactory(veterinario=vet_de_las_dos, sede=madrid, dia_semana=0, hora_inicio=datetime.time(9))
    api = api_client(Rol.ADMIN)
    fila = {"veterinario": vet_de_las_dos.id, "sede": canarias.id, "dia_semana": 0}

    # Canary 12:00 is Madrid 13:00, inside the Madrid row (09:00-14:00 there).
    solapada = api.post("/api/v1/horarios/", {**fila, "hora_inicio": "12:00", "hora_fin": "15:00"}, format="json")
    # Canary 13:00 is Madrid 14:00: the Canary row starts as the Madrid one ends.
    tarde = api.post("/api/v1/horarios/", {**fila, "hora_inicio": "13:00", "hora_fin": "20:00"}, format="json")

    assert solapada.status_code == 400
    assert error_codes(solapada) == {"non_field_errors": ["solape_horario"]}
    assert tarde.status_code == 201


def test_horarios_overlap_in_real_time_when_the_zones_change_dst_on_other_dates(api_client, madrid):
    # Madrid is six hours ahead of New York but for the weeks between the American and the
    # European change of time, when it is five: Madrid 14:00 is then New York 09:00.
    nueva_york = SedeFactory(nombre="Nueva York", codigo="NYC", zona_horaria="America/New_York")
    vet = VeterinarioFactory(sedes=[madrid, nueva_york])
    HorarioFactory(
        veterinario=vet, sede=nueva_york, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(10)
    )

    response = api_client(Rol.ADMIN).post(
        "/api/v1/horarios/",
        {"veterinario": vet.id, "sede": madrid.id, "dia_semana": 0, "hora_inicio": "14:00", "hora_fin": "15:00"},
        format="json",
    )

    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": ["solape_horario"]}


def test_a_horario_time_with_an_offset_is_400(api_client, madrid):
    vet = VeterinarioFactory(sedes=[madrid])

    response = api_client(Rol.ADMIN).post(
        "/api/v1/horarios/",
        {"veterinario": vet.id, "sede": madrid.id, "dia_semana": 0, "hora_inicio": "10:00+05:00", "hora_fin": "14:00"},
        format="json",
    )

    assert response.status_code == 400
    assert error_codes(response) == {"hora_inicio": ["invalid"]}
    assert not vet.horarios.exists()


def test_a_horario_at_a_sede_where_the_vet_does_not_work_is_400(api_client, madrid, canarias):
    vet = VeterinarioFactory(sedes=[madrid])

    response = api_client(Rol.ADMIN).post(
        "/api/v1/horarios/",
        {"veterinario": vet.id, "sede": canarias.id, "dia_semana": 0, "hora_inicio": "09:00", "hora_fin": "14:00"},
        format="json",
    )

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["veterinario_otra_sede"]}


# --- time zones -----------------------------------------------------------------------------------


def test_disponibilidad_at_a_canary_sede_on_its_dst_day_is_in_canary_time(api_client, canarias, settings):
    settings.SLOT_MINUTES = 60
    vet = VeterinarioFactory(sedes=[canarias])
    domingo = datetime.date(2031, 3, 30)  # Canary time jumps from 01:00 to 02:00
    HorarioFactory(
        veterinario=vet, sede=canarias, dia_semana=6, hora_inicio=datetime.time(0), hora_fin=datetime.time(4)
    )

    response = api_client(Rol.RECEPCIONISTA).get(
        "/api/v1/citas/disponibilidad/", {"veterinario": vet.id, "fecha": domingo.isoformat(), "duracion": 60}
    )

    assert response.status_code == 200
    huecos = response.json()["huecos"]
    locales = [datetime.datetime.fromisoformat(h["inicio"]).astimezone(CANARIAS).strftime("%H:%M%z") for h in huecos]
    assert locales == ["00:00+0000", "02:00+0100", "03:00+0100"]
    assert {h["sede"] for h in huecos} == {canarias.id}


def test_disponibilidad_of_a_vet_at_two_sedes_names_each_slots_sede(api_client, madrid, canarias, settings):
    settings.SLOT_MINUTES = 60
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    lunes = datetime.date(2031, 5, 5)
    HorarioFactory(veterinario=vet, sede=madrid, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(11))
    HorarioFactory(
        veterinario=vet, sede=canarias, dia_semana=0, hora_inicio=datetime.time(15), hora_fin=datetime.time(16)
    )
    api = api_client(Rol.RECEPCIONISTA)
    params = {"veterinario": vet.id, "fecha": lunes.isoformat(), "duracion": 60}

    todas = api.get("/api/v1/citas/disponibilidad/", params).json()["huecos"]
    solo_canarias = api.get("/api/v1/citas/disponibilidad/", {**params, "sede": canarias.id}).json()["huecos"]

    def local(hueco, zona):
        return datetime.datetime.fromisoformat(hueco["inicio"]).astimezone(zona).strftime("%H:%M")

    assert [(h["sede"], local(h, MADRID if h["sede"] == madrid.id else CANARIAS)) for h in todas] == [
        (madrid.id, "09:00"),
        (madrid.id, "10:00"),
        (canarias.id, "15:00"),
    ]
    assert [local(h, CANARIAS) for h in solo_canarias] == ["15:00"]


def test_an_owner_is_offered_only_sedes_that_take_online_bookings(client_for, madrid, canarias, settings):
    settings.SLOT_MINUTES = 60
    canarias.reserva_online = False
    canarias.save()
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    lunes = datetime.date(2031, 5, 5)
    HorarioFactory(veterinario=vet, sede=madrid, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(10))
    HorarioFactory(
        veterinario=vet, sede=canarias, dia_semana=0, hora_inicio=datetime.time(15), hora_fin=datetime.time(16)
    )
    cliente = ClienteConUsuarioFactory()

    response = client_for(cliente.usuario).get(
        "/api/v1/citas/disponibilidad/", {"veterinario": vet.id, "fecha": lunes.isoformat(), "duracion": 60}
    )

    assert {h["sede"] for h in response.json()["huecos"]} == {madrid.id}


def test_the_fecha_filter_reads_each_citas_date_in_its_sedes_zone(api_client, madrid, canarias, settings):
    # The server's zone is Canary time: there a Madrid cita at 00:30 is still the day before.
    settings.TIME_ZONE = "Atlantic/Canary"
    dia = datetime.date(2031, 6, 10)
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    medianoche_madrid = datetime.datetime.combine(dia, datetime.time(0, 30), tzinfo=MADRID)
    en_madrid = CitaFactory(sede=madrid, veterinario=vet, inicio=medianoche_madrid)
    # 23:30 in Las Palmas the day before is the same instant plus nothing: 00:30 in Madrid.
    noche_canarias = datetime.datetime.combine(dia - datetime.timedelta(days=1), datetime.time(23, 0), tzinfo=CANARIAS)
    en_canarias = CitaFactory(sede=canarias, veterinario=vet, inicio=noche_canarias)
    api = api_client(Rol.ADMIN)

    del_dia = [row["id"] for row in api.get("/api/v1/citas/", {"fecha": dia.isoformat()}).json()["results"]]
    anterior = api.get("/api/v1/citas/", {"fecha": (dia - datetime.timedelta(days=1)).isoformat()}).json()

    assert del_dia == [en_madrid.id]
    assert [row["id"] for row in anterior["results"]] == [en_canarias.id]


# --- concurrency --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_concurrent_bookings_of_one_vet_at_two_sedes_yield_one_cita():
    madrid = sede_principal()
    canarias = SedeFactory(zona_horaria="Atlantic/Canary")
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    admin = VeterinarioFactory.build(rol=Rol.ADMIN)
    admin.save()
    inicio = manana_a_las(10).isoformat()

    def post(sede):
        def call():
            api = APIClient(raise_request_exception=False)
            api.credentials(**bearer(admin))
            body = {"paciente": PacienteFactory().id, "veterinario": vet.id, "inicio": inicio, "motivo": "x"}
            return api.post("/api/v1/citas/", {**body, "sede": sede.id}, format="json").status_code

        return call

    statuses = run_at_once([post(madrid if i % 2 else canarias) for i in range(10)])

    assert sorted(statuses) == [201] + [409] * 9
    assert Cita.objects.filter(veterinario=vet).count() == 1


# --- staff leaving a sede, changing rol ---------------------------------------------------------


def test_removing_a_vet_from_a_sede_where_they_have_citas_to_attend_is_409(api_client, madrid, canarias):
    # given a vet of both sedes with a cita to attend at Las Palmas
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    HorarioFactory(veterinario=vet, sede=canarias, dia_semana=3)
    cita = CitaFactory(veterinario=vet, sede=canarias, inicio=manana_a_las(10))

    # when an admin leaves them only at Madrid
    response = api_client(Rol.ADMIN).patch(f"/api/v1/usuarios/{vet.id}/", {"sedes": [madrid.id]}, format="json")

    # then it is refused with the ids of those citas, and nothing changed
    assert response.status_code == 409
    assert error_codes(response) == {None: ["tiene_citas_futuras"]}
    assert response.json()["citas"] == [cita.id]
    assert set(vet.sedes.all()) == {madrid, canarias}
    assert vet.horarios.filter(sede=canarias).exists()


def test_removing_a_vet_from_a_sede_removes_their_horario_there(api_client, madrid, canarias):
    # given a vet of both sedes with horario rows at each, and citas only at Madrid
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    en_madrid = HorarioFactory(veterinario=vet, sede=madrid, dia_semana=0)
    HorarioFactory(veterinario=vet, sede=canarias, dia_semana=3)
    CitaFactory(veterinario=vet, sede=madrid, inicio=manana_a_las(10))
    CitaFactory(veterinario=vet, sede=canarias, inicio=manana_a_las(10) - datetime.timedelta(days=30))  # past

    # when an admin leaves them only at Madrid
    response = api_client(Rol.ADMIN).patch(f"/api/v1/usuarios/{vet.id}/", {"sedes": [madrid.id]}, format="json")

    # then the rows at Las Palmas went with the sede
    assert response.status_code == 200
    assert response.json()["sedes"] == [madrid.id]
    assert list(vet.horarios.all()) == [en_madrid]


def test_disponibilidad_offers_nothing_at_a_sede_the_vet_no_longer_works_at(api_client, madrid, canarias, settings):
    # given a row left at a sede the vet no longer works at (written around the services)
    settings.SLOT_MINUTES = 60
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    lunes = datetime.date(2031, 5, 5)
    HorarioFactory(veterinario=vet, sede=madrid, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(10))
    HorarioFactory(
        veterinario=vet, sede=canarias, dia_semana=0, hora_inicio=datetime.time(15), hora_fin=datetime.time(16)
    )
    vet.sedes.remove(canarias)

    response = api_client(Rol.RECEPCIONISTA).get(
        "/api/v1/citas/disponibilidad/", {"veterinario": vet.id, "fecha": lunes.isoformat(), "duracion": 60}
    )

    assert [h["sede"] for h in response.json()["huecos"]] == [madrid.id]


def test_disponibilidad_offers_an_instant_at_one_sede_only(api_client, madrid, settings):
    # given a vet without horario rows at two sedes of one zone: the clinic's hours at each
    settings.SLOT_MINUTES = 60
    settings.CLINIC_HOURS = "0-4=09:00-11:00"
    otra = SedeFactory(nombre="Getafe", codigo="GTF", zona_horaria=madrid.zona_horaria)
    vet = VeterinarioFactory(sedes=[madrid, otra])
    lunes = datetime.date(2031, 5, 5)

    response = api_client(Rol.RECEPCIONISTA).get(
        "/api/v1/citas/disponibilidad/", {"veterinario": vet.id, "fecha": lunes.isoformat(), "duracion": 60}
    )

    huecos = response.json()["huecos"]
    assert [h["inicio"][11:16] for h in huecos] == ["09:00", "10:00"]
    assert {h["sede"] for h in huecos} == {min(madrid.id, otra.id)}


def test_disponibilidad_never_offers_overlapping_slots_at_two_sedes(api_client, madrid, canarias, settings):
    # given the clinic's hours at a Madrid and a Canary sede: the same local hours are an hour
    # apart in real time, so their slots overlap without starting together
    settings.SLOT_MINUTES = 15
    settings.CLINIC_HOURS = "0-4=09:00-12:00"
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    lunes = datetime.date(2031, 1, 6)

    response = api_client(Rol.RECEPCIONISTA).get(
        "/api/v1/citas/disponibilidad/", {"veterinario": vet.id, "fecha": lunes.isoformat(), "duracion": 60}
    )

    huecos = [
        (datetime.datetime.fromisoformat(h["inicio"]), datetime.datetime.fromisoformat(h["fin"]), h["sede"])
        for h in response.json()["huecos"]
    ]
    assert {sede for _i, _f, sede in huecos} == {madrid.id, canarias.id}
    cruzados = [(a, b) for a in huecos for b in huecos if a[2] != b[2] and a[0] < b[1] and b[0] < a[1]]
    assert cruzados == []


def test_disponibilidad_slots_carry_their_sedes_offset(api_client, canarias, settings):
    settings.SLOT_MINUTES = 60
    vet = VeterinarioFactory(sedes=[canarias])
    lunes = datetime.date(2031, 1, 6)  # winter: Canary time is UTC, Madrid UTC+1
    HorarioFactory(
        veterinario=vet, sede=canarias, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(10)
    )

    response = api_client(Rol.RECEPCIONISTA).get(
        "/api/v1/citas/disponibilidad/", {"veterinario": vet.id, "fecha": lunes.isoformat(), "duracion": 60}
    )

    hueco = response.json()["huecos"][0]
    assert (hueco["inicio"], hueco["fin"]) == ("2031-01-06T09:00:00Z", "2031-01-06T10:00:00Z")


def test_a_sede_losing_a_vet_with_citas_there_is_refused_by_the_same_rule(madrid, canarias, admin_user):
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    HorarioFactory(veterinario=vet, sede=canarias, dia_semana=3)
    cita = CitaFactory(veterinario=vet, sede=canarias, inicio=manana_a_las(10))

    with pytest.raises(Conflict) as refused:
        personal_leave_sedes(actor=admin_user, user=vet, sedes=[canarias.pk])

    assert (refused.value.code, refused.value.extra) == ("tiene_citas_futuras", {"citas": [cita.id]})
    assert vet.horarios.filter(sede=canarias).exists()


def test_a_sede_losing_a_vet_without_citas_there_drops_their_horario_there(madrid, canarias, admin_user):
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    en_madrid = HorarioFactory(veterinario=vet, sede=madrid, dia_semana=0)
    HorarioFactory(veterinario=vet, sede=canarias, dia_semana=3)
    CitaFactory(veterinario=vet, sede=madrid, inicio=manana_a_las(10))

    personal_leave_sedes(actor=admin_user, user=vet, sedes=[canarias.pk])

    assert list(vet.horarios.all()) == [en_madrid]


def test_a_sedes_staff_edit_is_refused_for_a_vet_with_citas_there_and_drops_horarios_otherwise(
    madrid, canarias, admin_user
):
    citado = VeterinarioFactory(sedes=[madrid, canarias])
    libre = VeterinarioFactory(sedes=[madrid, canarias])
    cita = CitaFactory(veterinario=citado, sede=canarias, inicio=manana_a_las(10))
    HorarioFactory(veterinario=libre, sede=canarias, dia_semana=3)

    with pytest.raises(Conflict) as refused:
        sedes_services.sede_set_personal(actor=admin_user, sede=canarias, usuarios=[])

    assert (refused.value.code, refused.value.extra) == ("tiene_citas_futuras", {"citas": [cita.id]})
    assert set(canarias.personal.all()) == {citado, libre}  # nothing half-done
    assert libre.horarios.filter(sede=canarias).exists()

    sedes_services.sede_set_personal(actor=admin_user, sede=canarias, usuarios=[citado])

    assert list(canarias.personal.all()) == [citado]
    assert not libre.horarios.filter(sede=canarias).exists()


@pytest.mark.parametrize("rol", [Rol.RECEPCIONISTA, Rol.ADMIN])
def test_changing_the_rol_of_a_vet_with_citas_to_attend_is_409(api_client, madrid, rol):
    vet = VeterinarioFactory(sedes=[madrid])
    cita = CitaFactory(veterinario=vet, sede=madrid, inicio=manana_a_las(10))

    response = api_client(Rol.ADMIN).patch(f"/api/v1/usuarios/{vet.id}/", {"rol": rol}, format="json")

    assert response.status_code == 409
    assert error_codes(response) == {None: ["tiene_citas_futuras"]}
    assert response.json()["citas"] == [cita.id]
    vet.refresh_from_db()
    assert vet.rol == Rol.VETERINARIO


def test_a_vet_who_stops_being_one_keeps_no_horario(api_client, madrid):
    vet = VeterinarioFactory(sedes=[madrid])
    HorarioFactory(veterinario=vet, sede=madrid)

    response = api_client(Rol.ADMIN).patch(f"/api/v1/usuarios/{vet.id}/", {"rol": Rol.RECEPCIONISTA}, format="json")

    assert response.status_code == 200
    assert not vet.horarios.exists()


def test_a_horario_overlapping_another_sedes_in_real_time_is_400(api_client, madrid, canarias, vet_de_las_dos):
    # given Thursday 09:00-14:00 at Las Palmas (Madrid 10:00-15:00)
    vet = vet_de_las_dos
    HorarioFactory(veterinario=vet, sede=canarias, dia_semana=3, hora_inicio=datetime.time(9))

    # when an admin adds Thursday 14:00-15:00 at Madrid (Canary 13:00-14:00)
    fila = {"veterinario": vet.id, "sede": madrid.id, "dia_semana": 3, "hora_inicio": "14:00", "hora_fin": "15:00"}
    response = api_client(Rol.ADMIN).post("/api/v1/horarios/", fila, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": ["solape_horario"]}


# --- what an owner may know of sedes ---------------------------------------------------------------


@pytest.fixture
def oculta(canarias):
    """A sede hidden from owners: inactive."""
    canarias.activo = False
    canarias.save()
    return canarias


def test_an_owner_booking_at_an_inactive_sede_gets_the_booking_rule_not_sede_inactiva(client_for, madrid, oculta):
    vet = VeterinarioFactory(sedes=[madrid, oculta])
    paciente = PacienteFactory(propietario=ClienteConUsuarioFactory())
    api = client_for(paciente.propietario.usuario)

    escondida = api.post(
        "/api/v1/citas/", reserva(paciente, vet, manana_a_las(10), sede=oculta, duracion_minutos=30), format="json"
    )
    sin_sede = reserva(paciente, vet, manana_a_las(10), duracion_minutos=30)
    inexistente = api.post("/api/v1/citas/", {**sin_sede, "sede": 999999}, format="json")

    # API.md: an owner books only at a sede with reserva_online, else hueco_no_disponible
    assert escondida.status_code == inexistente.status_code == 400
    assert error_codes(escondida) == {"sede": ["hueco_no_disponible"]}
    assert error_codes(inexistente) == {"sede": ["does_not_exist"]}


def test_an_owner_asking_disponibilidad_at_a_hidden_sede_gets_400(client_for, madrid, oculta):
    vet = VeterinarioFactory(sedes=[madrid, oculta])
    api = client_for(ClienteConUsuarioFactory().usuario)
    params = {"veterinario": vet.id, "fecha": manana_a_las(10).date().isoformat(), "duracion": 30}

    response = api.get("/api/v1/citas/disponibilidad/", {**params, "sede": oculta.id})

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["does_not_exist"]}


def test_an_owner_does_not_learn_of_hidden_sedes_from_the_vets_list(client_for, api_client, madrid, oculta):
    vet = VeterinarioFactory(sedes=[madrid, oculta])
    api = client_for(ClienteConUsuarioFactory().usuario)

    filtrado = api.get("/api/v1/veterinarios/", {"sede": oculta.id})
    lista = api.get("/api/v1/veterinarios/").json()["results"]
    para_staff = api_client(Rol.RECEPCIONISTA).get("/api/v1/veterinarios/").json()["results"]

    assert filtrado.status_code == 400
    assert error_codes(filtrado) == {"sede": ["invalid_choice"]}
    assert [row["sedes"] for row in lista if row["id"] == vet.id] == [[madrid.id]]
    assert [sorted(row["sedes"]) for row in para_staff if row["id"] == vet.id] == [sorted([madrid.id, oculta.id])]


# --- bloqueos ---------------------------------------------------------------------------------------


def test_a_bloqueo_over_citas_at_other_sedes_lists_only_the_ids_the_caller_sees(client_for, madrid, canarias):
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    en_madrid = CitaFactory(veterinario=vet, sede=madrid, inicio=manana_a_las(9))
    CitaFactory(veterinario=vet, sede=canarias, inicio=manana_a_las(11))
    recepcion = client_for(RecepcionistaFactory(sedes=[madrid]))
    body = {
        "veterinario": vet.id,
        "inicio": manana_a_las(8).isoformat(),
        "fin": manana_a_las(14).isoformat(),
        "motivo": "Curso",
    }

    response = recepcion.post("/api/v1/bloqueos/", body, format="json")

    assert response.status_code == 409
    assert error_codes(response) == {None: ["bloqueo_con_citas"]}
    assert response.json()["citas"] == [en_madrid.id]
