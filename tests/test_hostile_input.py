"""Input built to exhaust the server (deep nesting, endless searches, the calendar's edges)
is a 400 with a code, never a 500 or a worker held for minutes."""

import pytest
from django.test import Client

from accounts.tests.factories import VeterinarioFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes, error_details

pytestmark = pytest.mark.django_db


def nested(depth):
    return b'{"a": ' * depth + b"1" + b"}" * depth


# --- Deep JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 950, 100_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/clientes/", "/api/v1/citas/"]
)
def test_deeply_nested_json_is_400_on_every_json_endpoint(client_for, admin_user, path, depth):
    api = client_for(admin_user)

    response = api.generic("POST", path, nested(depth), content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_anonymous_login_with_deep_json_is_400():
    response = Client().post("/api/v1/auth/token/", nested(950), content_type="application/json")

    assert response.status_code == 400


def test_json_nested_to_the_limit_is_parsed(client_for, admin_user):
    body = b'{"nombre": "Ana", "apellidos": "Ruiz", "telefono": "600111222", "notas": "x", "extra": '
    body += b"[" * 30 + b"]" * 30 + b"}"

    response = client_for(admin_user).generic("POST", "/api/v1/clientes/", body, content_type="application/json")

    assert response.status_code == 201


# --- Bounded search -----------------------------------------------------------------------

SEARCHED_LISTS = ["/api/v1/clientes/", "/api/v1/pacientes/", "/api/v1/citas/", "/api/v1/vacunas/", "/api/v1/usuarios/"]


@pytest.mark.parametrize("path", SEARCHED_LISTS)
def test_a_search_of_too_many_terms_is_400_with_a_code(client_for, admin_user, path):
    response = client_for(admin_user).get(path, {"search": " ".join(["a"] * 9)})

    assert response.status_code == 400
    assert error_codes(response)["search"] == ["max_terms"]


@pytest.mark.parametrize("path", SEARCHED_LISTS)
def test_a_search_too_long_is_400_with_a_code(client_for, admin_user, path):
    response = client_for(admin_user).get(path, {"search": "x" * 101})

    assert response.status_code == 400
    assert error_codes(response)["search"] == ["max_length"]


def test_an_owner_cannot_send_the_900_term_search_either(client_for, cliente_user):
    response = client_for(cliente_user).get("/api/v1/pacientes/", {"search": " ".join(["zz"] * 900)})

    assert response.status_code == 400


@pytest.mark.parametrize("path", SEARCHED_LISTS)
def test_a_search_within_the_bounds_still_answers(client_for, admin_user, path):
    response = client_for(admin_user).get(path, {"search": " ".join(["a"] * 8)})

    assert response.status_code == 200


def test_commas_count_as_term_separators(client_for, admin_user):
    response = client_for(admin_user).get("/api/v1/clientes/", {"search": ",".join(["a"] * 9)})

    assert response.status_code == 400


# --- The calendar's edges -----------------------------------------------------------------


@pytest.fixture
def vet(db):
    return VeterinarioFactory()


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/citas/", {"fecha": "9999-12-31"}),
        ("/api/v1/citas/", {"fecha": "0001-01-01"}),
        ("/api/v1/citas/", {"desde": "9999-12-31T23:59:59-05:00"}),
        ("/api/v1/citas/", {"hasta": "0001-01-01T00:00:00+05:00"}),
        ("/api/v1/bloqueos/", {"hasta": "9999-12-31T23:59:59Z"}),
        ("/api/v1/consultas/", {"hasta": "9999-12-31"}),
        ("/api/v1/consultas/", {"desde": "0001-01-01"}),
        ("/api/v1/vacunas/", {"proxima_dosis_hasta": "9999-12-31"}),
        ("/api/v1/recordatorios/", {"desde": "9999-12-25", "hasta": "9999-12-31"}),
        ("/api/v1/recordatorios/", {"hasta": "9999-12-31"}),
    ],
)
def test_far_dates_in_filters_are_400(client_for, admin_user, path, params):
    response = client_for(admin_user).get(path, params)

    assert response.status_code == 400
    field = next(iter(params))
    assert error_codes(response)[field] == ["fecha_fuera_de_rango"]


@pytest.mark.parametrize("fecha", ["9999-12-31", "0001-01-01"])
def test_far_dates_in_disponibilidad_are_400(client_for, admin_user, vet, fecha):
    response = client_for(admin_user).get("/api/v1/citas/disponibilidad/", {"veterinario": vet.pk, "fecha": fecha})

    assert response.status_code == 400
    assert error_codes(response)["fecha"] == ["fecha_fuera_de_rango"]


@pytest.mark.parametrize("inicio", ["9999-12-31T23:30:00Z", "9999-12-31T23:30:00-05:00", "3000-01-01T10:00:00Z"])
def test_a_booking_at_the_end_of_the_calendar_is_400(client_for, admin_user, vet, inicio):
    paciente = PacienteFactory()

    response = client_for(admin_user).post(
        "/api/v1/citas/",
        {"paciente": paciente.pk, "veterinario": vet.pk, "inicio": inicio, "duracion_minutos": 60, "motivo": "x"},
    )

    assert response.status_code == 400
    assert "inicio" in error_codes(response)


def test_a_bloqueo_ending_past_the_calendar_is_400(client_for, admin_user, vet):
    response = client_for(admin_user).post(
        "/api/v1/bloqueos/",
        {"veterinario": vet.pk, "inicio": "2999-12-31T10:00:00Z", "fin": "9999-12-31T23:59:59Z", "motivo": "x"},
    )

    assert response.status_code == 400
    assert error_codes(response)["fin"] == ["fecha_fuera_de_rango"]


@pytest.mark.parametrize(
    "path, payload",
    [
        ("/api/v1/pacientes/", {"fecha_nacimiento": "0001-01-01"}),
        ("/api/v1/vacunas/", {"proxima_dosis": "9999-12-31"}),
    ],
)
def test_far_dates_in_bodies_are_400(client_for, admin_user, path, payload):
    paciente = PacienteFactory()
    base = {
        "/api/v1/pacientes/": {"nombre": "Toby", "especie": "perro", "propietario": paciente.propietario_id},
        "/api/v1/vacunas/": {"paciente": paciente.pk, "nombre": "Rabia", "fecha_aplicacion": "2026-01-10"},
    }[path]

    response = client_for(admin_user).post(path, {**base, **payload})

    assert response.status_code == 400
    field = next(iter(payload))
    assert error_codes(response)[field] == ["fecha_fuera_de_rango"]


@pytest.mark.parametrize(("inicio", "fin"), [("2026-03-01", "9999-12-31"), ("0001-01-01", "2026-03-01")])
def test_far_dates_in_an_admin_form_are_a_form_error(client, admin_user, vet, inicio, fin):
    from django.urls import reverse

    from citas.models import Bloqueo

    client.force_login(admin_user)

    response = client.post(
        reverse("admin:citas_bloqueo_add"),
        {
            "veterinario": vet.pk,
            "inicio_0": inicio,
            "inicio_1": "10:00:00",
            "fin_0": fin,
            "fin_1": "23:59:59",
            "motivo": "Congreso",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Bloqueo.objects.exists()


def test_a_far_date_in_an_import_is_a_line_error(tmp_path):
    from core.importing.testing import run_import
    from historial.models import Vacuna

    paciente = PacienteFactory(microchip="941000012345678")
    source = tmp_path / "vacunas.csv"
    source.write_text(
        "microchip;vacuna;fecha_aplicacion;proxima_dosis\n941000012345678;Rabia;2026-01-10;9999-12-31\n",
        encoding="utf-8",
    )

    run = run_import("importar_vacunas", str(source))

    assert run.code == 1
    assert run.error_lines == ["línea 2: proxima_dosis: Fecha fuera del rango admitido (1800-01-01 a 2999-12-31)."]
    assert not Vacuna.objects.filter(paciente=paciente).exists()


def test_the_new_limits_speak_the_callers_language(client_for, admin_user):
    api = client_for(admin_user)

    spanish = api.get("/api/v1/clientes/", {"search": "x" * 101})
    english = api.get("/api/v1/clientes/", {"search": "x" * 101}, HTTP_ACCEPT_LANGUAGE="en")
    far = api.get("/api/v1/citas/", {"fecha": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="en")

    assert error_details(spanish) == {"search": ["La búsqueda no puede superar 100 caracteres."]}
    assert error_details(english) == {"search": ["A search cannot exceed 100 characters."]}
    assert error_details(far) == {"fecha": ["Date out of the accepted range (1800-01-01 to 2999-12-31)."]}
