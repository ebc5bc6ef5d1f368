import datetime
import zoneinfo

import pytest
from django.utils import timezone

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas.models import Cita, EstadoCita
from citas.tests.factories import BloqueoFactory, CitaFactory, manana_a_las
from pacientes.tests.factories import PacienteFactory
from sedes.models import Sede
from tests.errors import error_code, error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/citas/"


def reserva(paciente, veterinario, inicio, **extra):
    return {
        "paciente": paciente.id,
        "veterinario": veterinario.id,
        "inicio": inicio.isoformat(),
        "motivo": "Vacunación",
        **extra,
    }


@pytest.fixture
def recepcion(api_client):
    return api_client(Rol.RECEPCIONISTA)


@pytest.fixture
def vet(db):
    return VeterinarioFactory()


# --- create ------------------------------------------------------------------------


def test_booking_defaults_to_30_minutes_and_programada(recepcion, vet):
    paciente = PacienteFactory()

    response = recepcion.post(URL, reserva(paciente, vet, manana_a_las(10)))

    assert response.status_code == 201
    body = response.json()
    assert body["estado"] == "programada"
    assert body["duracion_minutos"] == 30
    assert datetime.datetime.fromisoformat(body["fin"]) == manana_a_las(10, 30)
    assert body["cliente"] == paciente.propietario_id
    assert body["paciente_nombre"] == paciente.nombre
    assert body["creado_por"] == recepcion.user.id


def test_booking_with_explicit_fin_or_duration(recepcion, vet):
    paciente = PacienteFactory()

    with_fin = recepcion.post(URL, reserva(paciente, vet, manana_a_las(10), fin=manana_a_las(10, 45).isoformat()))
    with_duration = recepcion.post(URL, reserva(paciente, vet, manana_a_las(12), duracion_minutos=60))

    assert with_fin.json()["duracion_minutos"] == 45
    assert datetime.datetime.fromisoformat(with_duration.json()["fin"]) == manana_a_las(13)


@pytest.mark.parametrize(
    "extra,field,code",
    [
        ({"duracion_minutos": 4}, "duracion_minutos", "min_value"),
        ({"duracion_minutos": 481}, "duracion_minutos", "max_value"),
        ({"fin": "inicio"}, "fin", "fin_antes_de_inicio"),
        ({"fin": "antes"}, "fin", "fin_antes_de_inicio"),
        ({"fin": "muy-tarde"}, "fin", "duracion_fuera_de_rango"),
        ({"fin": "con-duracion"}, "fin", "fin_y_duracion"),
    ],
)
def test_duration_rules(recepcion, vet, extra, field, code):
    inicio = manana_a_las(10)
    fines = {
        "inicio": inicio,
        "antes": inicio - datetime.timedelta(minutes=10),
        "muy-tarde": inicio + datetime.timedelta(minutes=481),
        "con-duracion": inicio + datetime.timedelta(minutes=30),
    }
    if "fin" in extra:
        extra = {
            "fin": fines[extra["fin"]].isoformat(),
            **({"duracion_minutos": 30} if extra["fin"] == "con-duracion" else {}),
        }

    response = recepcion.post(URL, reserva(PacienteFactory(), vet, inicio, **extra))

    assert response.status_code == 400
    assert error_codes(response) == {field: [code]}
    assert not Cita.objects.exists()


def test_booking_in_the_past_is_400(recepcion, vet):
    ayer = timezone.now() - datetime.timedelta(hours=1)

    response = recepcion.post(URL, reserva(PacienteFactory(), vet, ayer))

    assert response.status_code == 400
    assert error_codes(response) == {"inicio": ["inicio_en_pasado"]}


@pytest.mark.parametrize("estado", [{"activo": False}, {"fallecido": True}])
def test_inactive_or_dead_paciente_is_400(recepcion, vet, estado):
    if estado.get("fallecido"):
        estado["fecha_fallecimiento"] = timezone.localdate()
    paciente = PacienteFactory(**estado)

    response = recepcion.post(URL, reserva(paciente, vet, manana_a_las(10)))

    assert response.status_code == 400
    assert error_codes(response) == {"paciente": ["paciente_inactivo"]}


# An inactive vet is refused by the booking rule; a user of another rol is not even a choice.
@pytest.mark.parametrize("user,code", [("inactive_vet", "veterinario_no_valido"), ("recepcionista", "does_not_exist")])
def test_veterinario_must_be_an_active_vet(recepcion, user, code):
    otro = VeterinarioFactory(is_active=False) if user == "inactive_vet" else UserFactory(rol=Rol.RECEPCIONISTA)

    response = recepcion.post(URL, reserva(PacienteFactory(), otro, manana_a_las(10)))

    assert response.status_code == 400
    assert error_codes(response) == {"veterinario": [code]}


@pytest.mark.parametrize("missing", ["paciente", "veterinario", "inicio", "motivo"])
def test_required_fields(recepcion, vet, missing):
    data = reserva(PacienteFactory(), vet, manana_a_las(10))
    del data[missing]

    response = recepcion.post(URL, data)

    assert response.status_code == 400
    assert error_codes(response) == {missing: ["required"]}


def test_estado_and_creado_por_cannot_be_set(recepcion, vet, admin_user):
    response = recepcion.post(
        URL, reserva(PacienteFactory(), vet, manana_a_las(10), estado="completada", creado_por=admin_user.id)
    )

    assert response.json()["estado"] == "programada"
    assert response.json()["creado_por"] == recepcion.user.id


# --- no double booking ------------------------------------------------------------------


def test_overlap_with_the_same_vet_is_409(recepcion, vet):
    CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    response = recepcion.post(URL, reserva(PacienteFactory(), vet, manana_a_las(10, 15)))

    assert response.status_code == 409
    assert error_code(response) == "solape_veterinario"
    assert Cita.objects.count() == 1


def test_overlap_with_the_same_paciente_is_409(recepcion, vet):
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))

    response = recepcion.post(URL, reserva(cita.paciente, vet, manana_a_las(10, 30)))

    assert response.status_code == 409
    assert error_code(response) == "solape_paciente"


def test_back_to_back_is_fine(recepcion, vet):
    CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    assert recepcion.post(URL, reserva(PacienteFactory(), vet, manana_a_las(10, 30))).status_code == 201
    assert recepcion.post(URL, reserva(PacienteFactory(), vet, manana_a_las(9, 30))).status_code == 201


@pytest.mark.parametrize("estado", [EstadoCita.CANCELADA, EstadoCita.NO_ASISTIO, EstadoCita.COMPLETADA])
def test_inactive_citas_do_not_block(recepcion, vet, estado):
    CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30), estado=estado)

    assert recepcion.post(URL, reserva(PacienteFactory(), vet, manana_a_las(10))).status_code == 201


def test_overlapping_a_bloqueo_of_the_vet_is_409(recepcion, vet):
    BloqueoFactory(veterinario=vet, inicio=manana_a_las(9), fin=manana_a_las(12))

    response = recepcion.post(URL, reserva(PacienteFactory(), vet, manana_a_las(11, 45)))

    assert response.status_code == 409
    assert error_code(response) == "solape_bloqueo"


def test_a_bloqueo_of_another_vet_does_not_block(recepcion, vet):
    BloqueoFactory(inicio=manana_a_las(9), fin=manana_a_las(12))

    assert recepcion.post(URL, reserva(PacienteFactory(), vet, manana_a_las(10))).status_code == 201


# --- rescheduling ---------------------------------------------------------------------------


def test_reschedule_keeps_the_duration(recepcion):
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 45))

    response = recepcion.patch(f"{URL}{cita.id}/", {"inicio": manana_a_las(16).isoformat()})

    assert response.status_code == 200
    cita.refresh_from_db()
    assert (cita.inicio, cita.fin) == (manana_a_las(16), manana_a_las(16, 45))


def test_reschedule_into_a_conflict_is_409(recepcion):
    otra = CitaFactory(inicio=manana_a_las(12), fin=manana_a_las(13))
    cita = CitaFactory(veterinario=otra.veterinario, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    response = recepcion.patch(f"{URL}{cita.id}/", {"inicio": manana_a_las(12, 15).isoformat()})

    assert response.status_code == 409
    assert error_code(response) == "solape_veterinario"
    cita.refresh_from_db()
    assert cita.inicio == manana_a_las(10)


def test_reschedule_may_overlap_its_own_old_slot(recepcion):
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))

    response = recepcion.patch(f"{URL}{cita.id}/", {"inicio": manana_a_las(10, 30).isoformat()})

    assert response.status_code == 200


def test_changing_vet_rechecks_the_new_vets_agenda(recepcion, vet):
    CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(11))
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    response = recepcion.patch(f"{URL}{cita.id}/", {"veterinario": vet.id})

    assert response.status_code == 409
    assert error_code(response) == "solape_veterinario"


@pytest.mark.parametrize("estado", [EstadoCita.EN_CURSO, EstadoCita.COMPLETADA, EstadoCita.CANCELADA])
def test_reschedule_outside_programada_or_confirmada_is_409(recepcion, estado):
    cita = CitaFactory(estado=estado, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    response = recepcion.patch(f"{URL}{cita.id}/", {"duracion_minutos": 60})

    assert response.status_code == 409
    assert error_code(response) == "no_reprogramable"


def test_notes_can_be_edited_in_any_state(recepcion):
    cita = CitaFactory(estado=EstadoCita.COMPLETADA)

    response = recepcion.patch(f"{URL}{cita.id}/", {"notas": "Trajo analíticas"})

    assert response.status_code == 200
    cita.refresh_from_db()
    assert cita.notas == "Trajo analíticas"


def test_reschedule_into_the_past_is_400(recepcion):
    cita = CitaFactory()

    response = recepcion.patch(
        f"{URL}{cita.id}/", {"inicio": (timezone.now() - datetime.timedelta(hours=2)).isoformat()}
    )

    assert response.status_code == 400
    assert error_codes(response) == {"inicio": ["inicio_en_pasado"]}


# --- state machine ------------------------------------------------------------------------------

LEGAL = [
    ("confirmar", EstadoCita.PROGRAMADA, EstadoCita.CONFIRMADA),
    ("iniciar", EstadoCita.PROGRAMADA, EstadoCita.EN_CURSO),
    ("iniciar", EstadoCita.CONFIRMADA, EstadoCita.EN_CURSO),
    ("completar", EstadoCita.EN_CURSO, EstadoCita.COMPLETADA),
    ("cancelar", EstadoCita.PROGRAMADA, EstadoCita.CANCELADA),
    ("cancelar", EstadoCita.CONFIRMADA, EstadoCita.CANCELADA),
    ("no-asistio", EstadoCita.PROGRAMADA, EstadoCita.NO_ASISTIO),
    ("no-asistio", EstadoCita.CONFIRMADA, EstadoCita.NO_ASISTIO),
]
ALL_STATES = list(EstadoCita)
ILLEGAL = [
    (accion, estado)
    for accion in ("confirmar", "iniciar", "completar", "cancelar", "no-asistio")
    for estado in ALL_STATES
    if not any(a == accion and origen == estado for a, origen, _ in LEGAL)
]


@pytest.mark.parametrize("accion,origen,destino", LEGAL)
def test_legal_transitions(recepcion, accion, origen, destino):
    cita = CitaFactory(estado=origen)

    response = recepcion.post(f"{URL}{cita.id}/{accion}/")

    assert response.status_code == 200
    assert response.json()["estado"] == destino
    cita.refresh_from_db()
    assert cita.estado == destino


@pytest.mark.parametrize("accion,origen", ILLEGAL)
def test_illegal_transitions_are_409(recepcion, accion, origen):
    cita = CitaFactory(estado=origen)

    response = recepcion.post(f"{URL}{cita.id}/{accion}/")

    assert response.status_code == 409
    assert error_code(response) == "transicion_invalida"
    cita.refresh_from_db()
    assert cita.estado == origen


def test_cancel_records_the_reason(recepcion):
    cita = CitaFactory()

    response = recepcion.post(f"{URL}{cita.id}/cancelar/", {"motivo": "El dueño está de viaje"})

    assert response.json()["motivo_cancelacion"] == "El dueño está de viaje"


def test_cancel_without_body_is_fine(recepcion):
    cita = CitaFactory()

    assert recepcion.post(f"{URL}{cita.id}/cancelar/").status_code == 200


def test_a_cancelled_slot_can_be_booked_again(recepcion, vet):
    cita = CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    recepcion.post(f"{URL}{cita.id}/cancelar/")

    assert recepcion.post(URL, reserva(PacienteFactory(), vet, manana_a_las(10))).status_code == 201


# --- roles and scope ------------------------------------------------------------------------------


def test_owner_books_for_own_paciente(client_for, cliente, vet):
    # An owner books only what disponibilidad offers: a weekday in the clinic's default hours
    # (the vet has no horario), not "tomorrow", which may fall on a weekend.
    paciente = PacienteFactory(propietario=cliente)
    hoy = timezone.localdate()
    lunes = hoy + datetime.timedelta(days=7 - hoy.weekday())
    inicio = datetime.datetime.combine(lunes, datetime.time(10), tzinfo=timezone.get_current_timezone())

    response = client_for(cliente.usuario).post(URL, reserva(paciente, vet, inicio))

    assert response.status_code == 201
    assert response.json()["creado_por"] == cliente.usuario_id


def test_owner_cannot_book_for_someone_elses_paciente(client_for, cliente, vet):
    response = client_for(cliente.usuario).post(URL, reserva(PacienteFactory(), vet, manana_a_las(10)))

    assert response.status_code == 400
    assert error_codes(response) == {"paciente": ["does_not_exist"]}
    assert not Cita.objects.exists()


def test_owner_sees_only_own_citas(client_for, cliente):
    propia = CitaFactory(paciente__propietario=cliente)
    ajena = CitaFactory()
    api = client_for(cliente.usuario)

    assert [c["id"] for c in api.get(URL).json()["results"]] == [propia.id]
    assert api.get(f"{URL}{ajena.id}/").status_code == 404
    assert api.post(f"{URL}{ajena.id}/cancelar/").status_code == 404


def test_owner_may_only_cancel(client_for, cliente):
    cita = CitaFactory(paciente__propietario=cliente)
    api = client_for(cliente.usuario)

    assert api.post(f"{URL}{cita.id}/confirmar/").status_code == 403
    assert api.patch(f"{URL}{cita.id}/", {"notas": "x"}).status_code == 403
    assert api.delete(f"{URL}{cita.id}/").status_code == 403
    assert api.post(f"{URL}{cita.id}/cancelar/", {"motivo": "No puedo ir"}).status_code == 200


@pytest.mark.parametrize("rol,status", [(Rol.ADMIN, 204), (Rol.VETERINARIO, 403), (Rol.RECEPCIONISTA, 403)])
def test_only_admin_deletes(api_client, rol, status):
    cita = CitaFactory()

    assert api_client(rol).delete(f"{URL}{cita.id}/").status_code == status


def test_anonymous_gets_401(anon_client):
    assert anon_client.get(URL).status_code == 401


# --- filters --------------------------------------------------------------------------------------


def test_filters_by_vet_paciente_cliente(recepcion):
    cita = CitaFactory()
    CitaFactory()

    for params in (
        {"veterinario": cita.veterinario_id},
        {"paciente": cita.paciente_id},
        {"cliente": cita.paciente.propietario_id},
    ):
        assert [c["id"] for c in recepcion.get(URL, params).json()["results"]] == [cita.id]


def test_estado_filter_is_repeatable_and_comma_separated(recepcion):
    programada = CitaFactory(estado=EstadoCita.PROGRAMADA)
    confirmada = CitaFactory(estado=EstadoCita.CONFIRMADA)
    CitaFactory(estado=EstadoCita.CANCELADA)

    comma = recepcion.get(URL, {"estado": "programada,confirmada"}).json()["results"]
    repeated = recepcion.get(f"{URL}?estado=programada&estado=confirmada").json()["results"]

    assert {c["id"] for c in comma} == {programada.id, confirmada.id}
    assert {c["id"] for c in repeated} == {programada.id, confirmada.id}


@pytest.mark.parametrize(
    "params",
    [
        {"estado": "perdida"},
        {"estado": "programada,perdida"},
        {"fecha": "24/12/2030"},
        {"desde": "ayer"},
        {"veterinario": "x"},
    ],
)
def test_invalid_filter_values_are_400(recepcion, params):
    assert recepcion.get(URL, params).status_code == 400


def test_desde_hasta_select_starts_in_the_half_open_range(recepcion):
    a = CitaFactory(inicio=manana_a_las(9), fin=manana_a_las(9, 30))
    b = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    CitaFactory(inicio=manana_a_las(11), fin=manana_a_las(11, 30))

    response = recepcion.get(URL, {"desde": manana_a_las(9).isoformat(), "hasta": manana_a_las(11).isoformat()})

    assert [c["id"] for c in response.json()["results"]] == [a.id, b.id]


@pytest.mark.parametrize(
    "zona,dia",
    [
        ("America/Bogota", datetime.date(2031, 3, 30)),  # no DST
        ("Europe/Madrid", datetime.date(2031, 3, 30)),  # DST starts: the day has 23 hours
        ("Europe/Madrid", datetime.date(2031, 10, 26)),  # DST ends: the day has 25 hours
        ("Pacific/Auckland", datetime.date(2031, 9, 28)),  # far from UTC, DST starts
    ],
)
def test_fecha_filter_uses_the_sedes_local_day(recepcion, zona, dia):
    Sede.objects.filter(codigo="PRAL").update(zona_horaria=zona)
    tz = zoneinfo.ZoneInfo(zona)
    start = datetime.datetime.combine(dia, datetime.time(0, 0), tzinfo=tz)
    last_minute = datetime.datetime.combine(dia, datetime.time(23, 30), tzinfo=tz)
    next_day = datetime.datetime.combine(dia + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=tz)
    dentro = [CitaFactory(inicio=start, fin=start + datetime.timedelta(minutes=30))]
    dentro.append(CitaFactory(inicio=last_minute, fin=last_minute + datetime.timedelta(minutes=30)))
    CitaFactory(inicio=next_day, fin=next_day + datetime.timedelta(minutes=30))
    CitaFactory(inicio=start - datetime.timedelta(minutes=30), fin=start)

    response = recepcion.get(URL, {"fecha": dia.isoformat()})

    assert [c["id"] for c in response.json()["results"]] == [c.id for c in dentro]


def test_default_ordering_is_inicio(recepcion):
    tarde = CitaFactory(inicio=manana_a_las(16), fin=manana_a_las(16, 30))
    pronto = CitaFactory(inicio=manana_a_las(8), fin=manana_a_las(8, 30))

    assert [c["id"] for c in recepcion.get(URL).json()["results"]][:2] == [pronto.id, tarde.id]


# --- query budget -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_runs_constant_queries(recepcion, django_assert_max_num_queries, page_size):
    CitaFactory.create_batch(55)

    with django_assert_max_num_queries(3):
        response = recepcion.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_detail_runs_constant_queries(recepcion, django_assert_max_num_queries):
    cita = CitaFactory()

    with django_assert_max_num_queries(2):
        assert recepcion.get(f"{URL}{cita.id}/").status_code == 200


# --- daylight saving time -------------------------------------------------------------------------

# Europe/Madrid leaves summer time on the last Sunday of October 2031: 03:00 CEST becomes 02:00 CET.
OTONO = datetime.date(2031, 10, 26)


@pytest.fixture
def madrid(settings):
    settings.TIME_ZONE = "Europe/Madrid"
    return timezone.get_current_timezone()


def test_a_booking_across_the_autumn_change_lasts_the_minutes_asked(recepcion, vet, madrid):
    inicio = datetime.datetime.combine(OTONO, datetime.time(1, 30), tzinfo=madrid)  # 01:30 CEST

    response = recepcion.post(URL, reserva(PacienteFactory(), vet, inicio, duracion_minutos=120))

    assert response.status_code == 201
    cita = Cita.objects.get()
    assert cita.fin - cita.inicio == datetime.timedelta(minutes=120)
    assert datetime.datetime.fromisoformat(response.json()["fin"]).isoformat() == "2031-10-26T02:30:00+01:00"
    assert response.json()["duracion_minutos"] == 120


def test_an_explicit_fin_across_the_autumn_change_is_measured_in_real_minutes(recepcion, vet, madrid):
    # 01:30 CEST to 02:30 CET: one hour on the wall clock, two real hours.
    inicio = datetime.datetime.fromisoformat("2031-10-26T01:30:00+02:00")
    fin = datetime.datetime.fromisoformat("2031-10-26T02:30:00+01:00")

    response = recepcion.post(URL, reserva(PacienteFactory(), vet, inicio, fin=fin.isoformat()))

    assert response.status_code == 201
    assert response.json()["duracion_minutos"] == 120


def test_more_than_480_real_minutes_across_the_autumn_change_is_400(recepcion, vet, madrid):
    # 20:00 CEST to 03:30 CET: 450 minutes on the wall clock, 510 real ones.
    inicio = datetime.datetime.fromisoformat("2031-10-25T20:00:00+02:00")
    fin = datetime.datetime.fromisoformat("2031-10-26T03:30:00+01:00")

    response = recepcion.post(URL, reserva(PacienteFactory(), vet, inicio, fin=fin.isoformat()))

    assert response.status_code == 400
    assert error_codes(response) == {"fin": ["duracion_fuera_de_rango"]}


def test_moving_a_cita_onto_the_autumn_change_keeps_its_real_length(recepcion, madrid):
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(12))
    inicio = datetime.datetime.combine(OTONO, datetime.time(1, 30), tzinfo=madrid)

    response = recepcion.patch(f"{URL}{cita.id}/", {"inicio": inicio.isoformat()})

    assert response.status_code == 200
    cita.refresh_from_db()
    assert cita.fin - cita.inicio == datetime.timedelta(minutes=120)
