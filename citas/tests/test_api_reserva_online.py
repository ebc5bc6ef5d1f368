"""What an owner (rol `cliente`) may book: only what `disponibilidad` offers, within the plazo
and the limit of active citas. Staff keep their freedom."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Rol
from accounts.tests.factories import VeterinarioFactory
from citas.models import Cita, EstadoCita
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/citas/"


def proximo_lunes(semanas=0):
    """A Monday 1 to 7 days from today (plus `semanas` weeks), so "now" never cuts it."""
    hoy = timezone.localdate()
    return hoy + datetime.timedelta(days=7 - hoy.weekday() + 7 * semanas)


def el(dia, hora, minuto=0):
    return datetime.datetime.combine(dia, datetime.time(hora, minuto), tzinfo=timezone.get_current_timezone())


def reserva(paciente, veterinario, inicio, **extra):
    return {
        "paciente": paciente.id,
        "veterinario": veterinario.id,
        "inicio": inicio.isoformat(),
        "motivo": "Vacunación",
        **extra,
    }


def code(response, field):
    return error_codes(response)[field][0]


@pytest.fixture
def vet(db):
    """A vet seeing patients on Mondays from 09:00 to 12:00."""
    vet = VeterinarioFactory()
    HorarioFactory(veterinario=vet, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(12))
    return vet


@pytest.fixture
def duenio(client_for, cliente):
    return client_for(cliente.usuario)


@pytest.fixture
def paciente(cliente):
    return PacienteFactory(propietario=cliente)


@pytest.fixture(autouse=True)
def _reserva_settings(settings):
    settings.SLOT_MINUTES = 15
    settings.DURACIONES_RESERVA = [15, 30, 45, 60]
    settings.RESERVA_MAX_DIAS = 180
    settings.RESERVA_MAX_ACTIVAS = 5


# --- what disponibilidad offers ------------------------------------------------------------


def test_owner_books_an_offered_slot(duenio, paciente, vet):
    inicio = el(proximo_lunes(), 10, 15)
    ofrecidos = duenio.get(
        f"{URL}disponibilidad/", {"veterinario": vet.id, "fecha": proximo_lunes().isoformat(), "duracion": 45}
    ).json()["huecos"]
    assert inicio in [datetime.datetime.fromisoformat(h["inicio"]) for h in ofrecidos]

    response = duenio.post(URL, reserva(paciente, vet, inicio, duracion_minutos=45))

    assert response.status_code == 201
    assert response.json()["duracion_minutos"] == 45


@pytest.mark.parametrize(
    "hora,minuto,why",
    [
        (10, 5, "off the grid"),
        (8, 45, "before the horario"),
        (11, 45, "ends after the horario"),
        (15, 0, "outside the horario"),
    ],
)
def test_owner_cannot_book_outside_the_offered_slots(duenio, paciente, vet, hora, minuto, why):
    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), hora, minuto), duracion_minutos=30))

    assert response.status_code == 400, why
    assert code(response, "inicio") == "hueco_no_disponible"
    assert not Cita.objects.exists()


def test_owner_cannot_book_a_day_the_vet_does_not_work(duenio, paciente, vet):
    martes = proximo_lunes() + datetime.timedelta(days=1)

    response = duenio.post(URL, reserva(paciente, vet, el(martes, 10)))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"


def test_owner_cannot_fill_a_night_with_an_eight_hour_booking(duenio, paciente, vet):
    domingo = proximo_lunes() - datetime.timedelta(days=1)

    response = duenio.post(URL, reserva(paciente, vet, el(domingo, 3), duracion_minutos=480))

    assert response.status_code == 400
    assert code(response, "duracion_minutos") == "hueco_no_disponible"
    assert not Cita.objects.exists()


def test_a_vet_without_horario_is_bookable_in_clinic_hours_only(duenio, paciente, settings):
    settings.CLINIC_HOURS = "0-4=09:00-18:00"
    vet = VeterinarioFactory()
    sabado = proximo_lunes() + datetime.timedelta(days=5)

    refused = duenio.post(URL, reserva(paciente, vet, el(sabado, 10)))
    booked = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 17, 30)))

    assert refused.status_code == 400
    assert code(refused, "inicio") == "hueco_no_disponible"
    assert booked.status_code == 201


@pytest.mark.parametrize("duracion", [20, 90, 120])
def test_owner_books_only_the_durations_offered_online(duenio, paciente, vet, duracion):
    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9), duracion_minutos=duracion))

    assert response.status_code == 400
    assert code(response, "duracion_minutos") == "hueco_no_disponible"


def test_a_fin_whose_length_is_not_offered_is_refused_on_fin(duenio, paciente, vet):
    inicio = el(proximo_lunes(), 9)

    response = duenio.post(URL, reserva(paciente, vet, inicio, fin=el(proximo_lunes(), 9, 50).isoformat()))

    assert response.status_code == 400
    assert code(response, "fin") == "hueco_no_disponible"


def test_a_fin_whose_length_is_offered_is_fine(duenio, paciente, vet):
    inicio = el(proximo_lunes(), 9)

    response = duenio.post(URL, reserva(paciente, vet, inicio, fin=el(proximo_lunes(), 10).isoformat()))

    assert response.status_code == 201


def test_the_durations_come_from_the_settings(duenio, paciente, vet, settings):
    settings.DURACIONES_RESERVA = [20]
    settings.SLOT_MINUTES = 20

    refused = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9), duracion_minutos=30))
    booked = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9, 20), duracion_minutos=20))

    assert code(refused, "duracion_minutos") == "hueco_no_disponible"
    assert booked.status_code == 201


def test_owner_cannot_book_over_another_cita_of_the_vet(duenio, paciente, vet):
    CitaFactory(veterinario=vet, inicio=el(proximo_lunes(), 10), fin=el(proximo_lunes(), 10, 30))

    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 10, 15)))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"


def test_owner_cannot_book_over_a_bloqueo(duenio, paciente, vet):
    BloqueoFactory(veterinario=vet, inicio=el(proximo_lunes(), 9), fin=el(proximo_lunes(), 11))

    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 10)))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"


def test_a_cancelled_cita_frees_its_slot_for_owners(duenio, paciente, vet):
    CitaFactory(
        veterinario=vet, inicio=el(proximo_lunes(), 10), fin=el(proximo_lunes(), 10, 30), estado=EstadoCita.CANCELADA
    )

    assert duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 10))).status_code == 201


# --- plazo and limit ---------------------------------------------------------------------------


def test_owner_cannot_book_beyond_the_plazo(duenio, paciente, settings):
    settings.RESERVA_MAX_DIAS = 14
    settings.CLINIC_HOURS = "0-6=09:00-12:00"
    vet = VeterinarioFactory()
    hoy = timezone.localdate()

    # 09:00 in 13 days is less than 14 days from now whatever the time; in 15 days, more.
    within = duenio.post(URL, reserva(paciente, vet, el(hoy + datetime.timedelta(days=13), 9)))
    beyond = duenio.post(URL, reserva(paciente, vet, el(hoy + datetime.timedelta(days=15), 9)))

    assert within.status_code == 201
    assert beyond.status_code == 400
    assert code(beyond, "inicio") == "reserva_fuera_de_plazo"


def test_owner_cannot_book_years_ahead(duenio, paciente, vet):
    # The default plazo (180 days) refuses what disponibilidad would offer years ahead.
    lunes_lejano = proximo_lunes(semanas=52 * 3)

    response = duenio.post(URL, reserva(paciente, vet, el(lunes_lejano, 9)))

    assert response.status_code == 400
    assert code(response, "inicio") == "reserva_fuera_de_plazo"


def test_owner_has_at_most_the_active_citas_allowed_across_all_pacientes(duenio, cliente, paciente, vet, settings):
    settings.RESERVA_MAX_ACTIVAS = 2
    otro = PacienteFactory(propietario=cliente)
    CitaFactory(paciente=otro, inicio=el(proximo_lunes(semanas=3), 9), fin=el(proximo_lunes(semanas=3), 9, 30))
    # Neither a cancelled cita nor one that already started counts.
    CitaFactory(paciente=paciente, estado=EstadoCita.CANCELADA)
    pasada = timezone.now() - datetime.timedelta(days=2)
    CitaFactory(paciente=paciente, inicio=pasada, fin=pasada + datetime.timedelta(minutes=30))
    # Nor does another owner's.
    CitaFactory(inicio=el(proximo_lunes(semanas=3), 10), fin=el(proximo_lunes(semanas=3), 10, 30))

    second = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9)))
    third = duenio.post(URL, reserva(otro, vet, el(proximo_lunes(), 10)))

    assert second.status_code == 201
    assert third.status_code == 400
    assert code(third, "non_field_errors") == "reserva_limite_activas"
    assert not Cita.objects.filter(paciente=otro, inicio=el(proximo_lunes(), 10)).exists()


def test_cancelling_frees_room_under_the_limit(duenio, paciente, vet, settings):
    settings.RESERVA_MAX_ACTIVAS = 1
    primera = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9))).json()
    duenio.post(f"{URL}{primera['id']}/cancelar/")

    assert duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9))).status_code == 201


# --- staff keep their freedom ---------------------------------------------------------------------


@pytest.mark.parametrize("rol", [Rol.ADMIN, Rol.RECEPCIONISTA, Rol.VETERINARIO])
def test_staff_book_outside_horario_any_length_and_far_ahead(api_client, paciente, vet, settings, rol):
    settings.RESERVA_MAX_DIAS = 7
    settings.RESERVA_MAX_ACTIVAS = 1
    staff = api_client(rol)
    domingo = proximo_lunes(semanas=3) - datetime.timedelta(days=1)

    night = staff.post(URL, reserva(paciente, vet, el(domingo, 3, 7), duracion_minutos=480))
    odd = staff.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9, 5), duracion_minutos=20))

    assert (night.status_code, odd.status_code) == (201, 201)


# --- exactly what disponibilidad offers (one source of truth) ----------------------------------


def test_an_owner_booking_at_three_in_the_morning_of_a_working_day_is_refused(duenio, paciente, vet):
    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 3)))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"
    assert not Cita.objects.exists()


def test_an_owner_booking_at_three_in_the_morning_in_clinic_hours_is_refused(duenio, paciente, settings):
    # given a vet without horario rows: the clinic's default hours apply
    settings.CLINIC_HOURS = "0-4=09:00-18:00"
    vet = VeterinarioFactory()

    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 3)))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"


def test_an_owner_booking_off_the_grid_at_nine_oh_seven_is_refused(duenio, paciente, vet):
    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9, 7)))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"
    assert not Cita.objects.exists()


def test_an_owner_booking_of_480_minutes_is_refused_even_if_the_length_were_offered(duenio, paciente, vet, settings):
    # given 480 minutes among the online lengths: no 8-hour slot fits a 3-hour horario
    settings.DURACIONES_RESERVA = [30, 480]

    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes(), 9), duracion_minutos=480))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"
    assert not Cita.objects.exists()


def test_an_owner_booking_in_the_past_is_refused_as_no_slot(duenio, paciente, vet):
    # given a Monday two weeks ago at 09:00: on the grid and inside the horario, but past
    response = duenio.post(URL, reserva(paciente, vet, el(proximo_lunes() - datetime.timedelta(days=14), 9)))

    assert response.status_code == 400
    assert code(response, "inicio") == "hueco_no_disponible"
    assert not Cita.objects.exists()


def test_staff_booking_in_the_past_is_still_the_plain_validation_error(api_client, paciente, vet):
    response = api_client(Rol.RECEPCIONISTA).post(
        URL, reserva(paciente, vet, el(proximo_lunes() - datetime.timedelta(days=14), 9))
    )

    assert response.status_code == 400
    assert code(response, "inicio") != "hueco_no_disponible"


def test_an_owner_may_book_a_start_if_and_only_if_disponibilidad_lists_it(duenio, paciente, vet):
    # given a Monday with a cita and a bloqueo of the vet inside the horario (09:00-12:00)
    lunes = proximo_lunes()
    CitaFactory(veterinario=vet, inicio=el(lunes, 10), fin=el(lunes, 10, 30))
    BloqueoFactory(veterinario=vet, inicio=el(lunes, 11), fin=el(lunes, 11, 20))
    query = {"veterinario": vet.id, "fecha": lunes.isoformat(), "duracion": 30}
    candidates = [el(lunes, 8) + datetime.timedelta(minutes=5 * n) for n in range(5 * 12 + 1)]  # 08:00 … 13:00

    for inicio in candidates:
        # when the owner books each start, every 5 minutes around the horario
        huecos = duenio.get(f"{URL}disponibilidad/", query).json()["huecos"]
        offered = {datetime.datetime.fromisoformat(h["inicio"]) for h in huecos}
        response = duenio.post(URL, reserva(paciente, vet, inicio, duracion_minutos=30))

        # then it is booked exactly when disponibilidad offered it
        assert (response.status_code == 201) == (inicio in offered), (inicio.time(), response.data)
        if response.status_code == 201:
            duenio.post(f"{URL}{response.json()['id']}/cancelar/")
        else:
            assert code(response, "inicio") == "hueco_no_disponible"
    # 09:00, 09:15, 09:30, 10:30 and 11:30 were offered, booked and cancelled again
    assert Cita.objects.filter(estado=EstadoCita.CANCELADA).count() == 5
