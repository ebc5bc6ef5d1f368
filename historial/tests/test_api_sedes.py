"""The clinical record in a chain: a consulta takes place at an active sede its author works
at (its cita's, when it has one); the cita a consulta names is one its author may see; a
vacuna names the sede its charges go to."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Rol
from accounts.tests.factories import VeterinarioFactory
from api.tests.test_schema_errors import error_schema, resolve
from citas.tests.factories import CitaFactory
from facturacion.models import Factura
from facturacion.tests.factories import ProductoFactory
from historial.models import Consulta, Vacuna
from historial.tests.factories import ConsultaFactory
from pacientes.tests.factories import PacienteFactory
from sedes.tests.factories import SedeFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

CONSULTAS = "/api/v1/consultas/"
VACUNAS = "/api/v1/vacunas/"


@pytest.fixture
def vet_de_madrid(madrid, canarias):
    return VeterinarioFactory(sedes=[madrid])


# --- the consulta's sede ----------------------------------------------------------------------


def test_a_consulta_at_an_inactive_sede_is_400_but_one_recorded_before_it_closed_stays_editable(
    client_for, vet_de_madrid
):
    # given a sede the vet worked at, with a consulta, that has closed since
    cerrada = SedeFactory()
    vet_de_madrid.sedes.add(cerrada)
    anterior = ConsultaFactory(veterinario=vet_de_madrid, sede=cerrada)
    cerrada.activo = False
    cerrada.save()
    api = client_for(vet_de_madrid)
    paciente = PacienteFactory()

    # when the vet records a new consulta there, and edits the old one
    nueva = api.post(CONSULTAS, {"paciente": paciente.pk, "motivo": "x", "sede": cerrada.pk}, format="json")
    editada = api.patch(f"{CONSULTAS}{anterior.pk}/", {"notas": "revisado"}, format="json")

    # then only the new one is refused
    assert error_codes(nueva) == {"sede": ["sede_inactiva"]}
    assert not Consulta.objects.filter(paciente=paciente).exists()
    assert editada.status_code == 200, editada.json()


def test_a_vet_records_consultas_only_at_sedes_they_work_at_and_an_admin_at_any(
    client_for, api_client, vet_de_madrid, canarias
):
    paciente = PacienteFactory()
    datos = {"paciente": paciente.pk, "motivo": "x", "sede": canarias.pk}

    del_vet = client_for(vet_de_madrid).post(CONSULTAS, datos, format="json")
    del_admin = api_client(Rol.ADMIN).post(
        CONSULTAS, {**datos, "veterinario": VeterinarioFactory(sedes=[canarias]).pk}, format="json"
    )

    assert error_codes(del_vet) == {"sede": ["sede_no_permitida"]}
    assert del_admin.status_code == 201, del_admin.json()
    assert list(Consulta.objects.filter(paciente=paciente).values_list("sede", flat=True)) == [canarias.pk]


def test_a_consulta_of_a_cita_takes_the_citas_sede_and_another_is_400(api_client, madrid, canarias):
    # given a cita at Madrid
    api = api_client(Rol.ADMIN)
    cita = CitaFactory(sede=madrid)

    # when a consulta names it with another sede, or with none
    datos = {"paciente": cita.paciente_id, "motivo": "x", "cita": cita.pk, "veterinario": cita.veterinario_id}
    otra = api.post(CONSULTAS, {**datos, "sede": canarias.pk}, format="json")
    sin_sede = api.post(CONSULTAS, datos, format="json")

    # then the other sede is refused and the omitted one is the cita's
    assert error_codes(otra) == {"sede": ["sede_distinta_de_cita"]}
    assert sin_sede.status_code == 201, sin_sede.json()
    assert sin_sede.json()["sede"] == madrid.pk


def test_moving_a_consulta_of_a_cita_to_another_sede_is_400(client_for, madrid, canarias):
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    cita = CitaFactory(sede=madrid, veterinario=vet)
    consulta = ConsultaFactory(paciente=cita.paciente, cita=cita, sede=madrid, veterinario=vet)

    response = client_for(vet).patch(f"{CONSULTAS}{consulta.pk}/", {"sede": canarias.pk}, format="json")

    assert error_codes(response) == {"sede": ["sede_distinta_de_cita"]}
    consulta.refresh_from_db()
    assert consulta.sede == madrid


def test_moving_a_consulta_to_a_sede_the_vet_does_not_work_at_is_400(client_for, vet_de_madrid, canarias):
    consulta = ConsultaFactory(veterinario=vet_de_madrid)

    response = client_for(vet_de_madrid).patch(f"{CONSULTAS}{consulta.pk}/", {"sede": canarias.pk}, format="json")

    assert error_codes(response) == {"sede": ["sede_no_permitida"]}


# --- the consulta's cita ----------------------------------------------------------------------


def test_a_cita_of_a_sede_the_vet_does_not_see_is_as_unknown_as_a_missing_one(client_for, vet_de_madrid, canarias):
    # given a cita at a sede the vet does not work at (404 to them)
    api = client_for(vet_de_madrid)
    cita = CitaFactory(sede=canarias, veterinario=VeterinarioFactory(sedes=[canarias]))
    assert api.get(f"/api/v1/citas/{cita.pk}/").status_code == 404
    otro_paciente = PacienteFactory()

    # when a consulta names it, for its paciente or another one
    suyo = api.post(CONSULTAS, {"paciente": cita.paciente_id, "motivo": "x", "cita": cita.pk}, format="json")
    otro = api.post(CONSULTAS, {"paciente": otro_paciente.pk, "motivo": "x", "cita": cita.pk}, format="json")

    # then both answer as for an id that does not exist
    assert error_codes(suyo) == {"cita": ["does_not_exist"]}
    assert error_codes(otro) == {"cita": ["does_not_exist"]}
    assert not Consulta.objects.exists()


def test_a_consulta_cannot_be_linked_to_a_cita_the_vet_does_not_see(client_for, vet_de_madrid, canarias):
    cita = CitaFactory(sede=canarias, veterinario=VeterinarioFactory(sedes=[canarias]))
    consulta = ConsultaFactory(paciente=cita.paciente, veterinario=vet_de_madrid)

    response = client_for(vet_de_madrid).patch(f"{CONSULTAS}{consulta.pk}/", {"cita": cita.pk}, format="json")

    assert error_codes(response) == {"cita": ["does_not_exist"]}
    consulta.refresh_from_db()
    assert consulta.cita_id is None


# --- the vacuna's charges ---------------------------------------------------------------------


def vacuna_con_productos(**extra):
    return {
        "paciente": PacienteFactory().pk,
        "nombre": "Rabia",
        "fecha_aplicacion": "2026-01-10",
        "productos": [{"producto": ProductoFactory().pk}],
        **extra,
    }


def test_with_several_sedes_a_vacuna_with_productos_names_the_sede_of_its_charges(client_for, madrid, canarias):
    vet = VeterinarioFactory(sedes=[madrid, canarias])
    api = client_for(vet)

    sin_sede = api.post(VACUNAS, vacuna_con_productos(), format="json")
    con_sede = api.post(VACUNAS, vacuna_con_productos(sede=canarias.pk), format="json")

    assert error_codes(sin_sede) == {"sede": ["required"]}
    assert Vacuna.objects.count() == 1
    assert con_sede.status_code == 201, con_sede.json()
    assert "sede" not in con_sede.json()  # write-only: a vacuna has no sede of its own
    factura = Factura.objects.get()
    assert (factura.sede, factura.paciente_id) == (canarias, con_sede.json()["paciente"])


def test_a_vacuna_names_an_existing_sede(client_for, vet_de_madrid):
    response = client_for(vet_de_madrid).post(VACUNAS, vacuna_con_productos(sede=999999), format="json")

    assert error_codes(response) == {"sede": ["does_not_exist"]}


def test_the_schema_documents_the_sede_codes():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    def codes_de_sede(path, method):
        errors = resolve(schema, error_schema(schema, path, method, "400")["properties"]["errors"]["items"])
        for option in errors.get("oneOf") or errors["anyOf"]:
            component = resolve(schema, option)
            if resolve(schema, component["properties"]["attr"]).get("enum") == ["sede"]:
                return set(resolve(schema, component["properties"]["code"])["enum"])
        return set()

    consulta = {"required", "sede_inactiva", "sede_no_permitida", "sede_distinta_de_cita"}
    assert consulta <= codes_de_sede(CONSULTAS, "post")
    assert consulta <= codes_de_sede(f"{CONSULTAS}{{id}}/", "patch")
    assert {"required", "sede_inactiva", "sede_no_permitida"} <= codes_de_sede(VACUNAS, "post")
