"""The OpenAPI schema as integrators use it: one document whatever the language, stable ASCII
names, a summary on every operation, every enum a named component, response fields required
when they are always there, and documentation pages that load nothing from outside this host."""

import html
import json
import re
from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.settings import spectacular_settings

from accounts.models import Rol
from api.schema import SchemaGenerator
from citas.models import DiaSemana, EstadoCita
from pacientes.models import Especie, Sexo
from recordatorios.models import TipoRecordatorio

METHODS = {"get", "post", "put", "patch", "delete"}
IDENTIFIER = re.compile(r"^[A-Za-z0-9_]+$")


def generate():
    GENERATOR_STATS.reset()
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def schema():
    return generate()


def operations(schema):
    for path, items in schema["paths"].items():
        for method, operation in items.items():
            if method in METHODS:
                yield path, method, operation


def enum_locations(node, location=()):
    """Every place in the document holding an `enum`, as a tuple of keys."""
    if isinstance(node, dict):
        if "enum" in node:
            yield location
        for key, value in node.items():
            yield from enum_locations(value, (*location, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from enum_locations(value, (*location, str(index)))


def component(schema, name):
    return schema["components"]["schemas"][name]


# --- One document ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_is_the_same_document_whatever_the_language_asked_for(anon_client):
    spanish = anon_client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="es")
    english = anon_client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    by_parameter = anon_client.get("/api/schema/", {"lang": "es"}, HTTP_ACCEPT_LANGUAGE="es")

    assert spanish.status_code == english.status_code == by_parameter.status_code == 200
    assert spanish.content == english.content == by_parameter.content
    # English throughout: DRF's own parameter texts too (they are translated into Spanish).
    assert b"A search term." in spanish.content


def test_the_command_writes_the_same_document_in_any_active_language():
    outputs = []
    for language in ("es", "en"):
        out = StringIO()
        with translation.override(language):
            call_command("spectacular", stdout=out)
        outputs.append(out.getvalue())

    assert outputs[0] == outputs[1]
    assert "List appointments" in outputs[0]


def test_the_schema_generates_without_warnings_or_errors():
    generate()

    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)


def test_operation_ids_component_and_parameter_names_are_plain_ascii_identifiers(schema):
    operation_ids = [operation["operationId"] for _, _, operation in operations(schema)]
    parameters = [parameter for _, _, operation in operations(schema) for parameter in operation.get("parameters", [])]
    parameter_names = [parameter["name"] for parameter in parameters if parameter["in"] != "header"]
    header_names = [parameter["name"] for parameter in parameters if parameter["in"] == "header"]

    assert len(operation_ids) == len(set(operation_ids))
    for name in [*operation_ids, *schema["components"]["schemas"], *parameter_names]:
        assert IDENTIFIER.match(name), name
    for name in header_names:  # HTTP header names (If-Match, Idempotency-Key): letters, digits and dashes
        assert re.fullmatch(r"[A-Za-z0-9-]+", name), name


# --- Summaries -------------------------------------------------------------------------------


def test_every_operation_has_a_summary_and_an_operation_id(schema):
    for path, method, operation in operations(schema):
        assert operation.get("operationId"), (method, path)
        assert operation.get("summary"), (method, path)

    summaries = [operation["summary"] for _, _, operation in operations(schema)]
    assert len(summaries) == len(set(summaries))


@pytest.mark.parametrize(
    ("path", "method", "summary"),
    [
        ("/api/v1/citas/", "get", "List appointments"),
        ("/api/v1/citas/", "post", "Create an appointment"),
        ("/api/v1/citas/{id}/", "patch", "Update an appointment partially"),
        ("/api/v1/horarios/{id}/", "delete", "Delete opening hours"),
        ("/api/v1/usuarios/{id}/", "get", "Retrieve a user"),
        ("/api/v1/citas/{id}/no-asistio/", "post", "Mark an appointment as a no-show"),
        ("/api/v1/veterinarios/", "get", "List vets"),
    ],
)
def test_summaries_come_from_the_action_and_the_models_english_name(schema, path, method, summary):
    assert schema["paths"][path][method]["summary"] == summary


def test_components_describe_themselves_not_the_serializer_machinery(schema):
    schemas = schema["components"]["schemas"]

    assert schemas["Paciente"]["description"].startswith("An animal under the clinic's care")
    for name, body in schemas.items():
        assert "ModelSerializer" not in body.get("description", ""), name
        assert "serializer" not in body.get("description", "").lower(), name


# --- Enums -----------------------------------------------------------------------------------

# drf-standardized-errors documents, per operation and field, the codes that field can answer in
# a component of its own (`<Operation><Field>ErrorComponent`: `attr` and `code`); each is one
# named component, and its enums belong to it.
ERROR_COMPONENT_ENUM = re.compile(r"^components/schemas/\w+ErrorComponent/properties/(attr|code)$")


def assert_enums_are_named_components(schema):
    for location in enum_locations(schema):
        text = "/".join(location)
        is_enum_component = location[:2] == ("components", "schemas") and len(location) == 3
        if is_enum_component:
            assert location[2].endswith("Enum"), text
        else:
            assert ERROR_COMPONENT_ENUM.match(text), f"inline enum at {text}"


def test_no_enum_appears_outside_the_named_enum_components(schema):
    assert_enums_are_named_components(schema)


@pytest.mark.parametrize(
    ("name", "choices"),
    [
        ("EspecieEnum", Especie),
        ("SexoEnum", Sexo),
        ("EstadoCitaEnum", EstadoCita),
        ("DiaSemanaEnum", DiaSemana),
        ("RolEnum", Rol),
        ("TipoRecordatorioEnum", TipoRecordatorio),
    ],
)
def test_each_choice_set_is_one_enum_component_with_its_name(schema, name, choices):
    assert component(schema, name)["enum"] == list(choices.values)


def test_no_two_enum_components_hold_the_same_choices(schema):
    value_sets = [
        frozenset(body["enum"]) for name, body in schema["components"]["schemas"].items() if name.endswith("Enum")
    ]

    assert len(value_sets) == len(set(value_sets))


@pytest.mark.parametrize(
    ("path", "parameter", "enum"),
    [
        ("/api/v1/citas/", "estado", "EstadoCitaEnum"),
        ("/api/v1/pacientes/", "especie", "EspecieEnum"),
        ("/api/v1/pacientes/", "sexo", "SexoEnum"),
        ("/api/v1/horarios/", "dia_semana", "DiaSemanaEnum"),
        ("/api/v1/usuarios/", "rol", "RolEnum"),
        ("/api/v1/recordatorios/", "tipo", "TipoRecordatorioEnum"),
    ],
)
def test_filters_refer_to_the_same_enum_component_as_the_fields(schema, path, parameter, enum):
    (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == parameter]
    holder = found["schema"].get("items", found["schema"])

    assert holder == {"$ref": f"#/components/schemas/{enum}"}


# --- Required response fields ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        # read-only fields
        ("Paciente", ["id", "propietario_nombre", "creado_en", "actualizado_en"]),
        ("Cita", ["id", "estado", "paciente_nombre", "veterinario_nombre", "creado_por"]),
        ("Cliente", ["id", "num_pacientes", "creado_en"]),
        ("Me", ["id", "email", "rol", "cliente"]),
        # optional on input, always in the answer
        ("Paciente", ["raza", "microchip", "fecha_nacimiento", "notas", "activo"]),
        ("Cita", ["fin", "duracion_minutos", "notas"]),
        ("Usuario", ["telefono", "cliente", "is_active"]),
        ("Recordatorio", ["tipo", "fecha", "paciente", "enviado_en"]),
    ],
)
def test_fields_always_present_in_responses_are_required(schema, name, fields):
    required = component(schema, name)["required"]

    assert set(fields) <= set(required), set(fields) - set(required)


def test_nullable_response_fields_stay_nullable(schema):
    assert component(schema, "Paciente")["properties"]["fecha_nacimiento"]["nullable"] is True
    assert component(schema, "Cita")["properties"]["creado_por"]["nullable"] is True
    assert component(schema, "Me")["properties"]["cliente"]["nullable"] is True
    assert component(schema, "Recordatorio")["properties"]["enviado_en"]["nullable"] is True


def test_fields_only_some_rows_carry_are_not_required(schema):
    # A reminder names its vaccine or its cita, never both.
    assert not {"vacuna", "cita"} & set(component(schema, "Recordatorio")["required"])


def test_write_only_fields_are_not_in_the_response(schema):
    assert "password" not in component(schema, "Usuario")["properties"]
    assert "password" in component(schema, "UsuarioRequest")["properties"]


def test_request_components_require_only_what_the_input_requires(schema):
    required = set(component(schema, "PacienteRequest")["required"])

    assert {"nombre", "especie", "propietario"} <= required
    assert not {"raza", "microchip", "fecha_nacimiento", "notas"} & required
    assert "required" not in component(schema, "PatchedPacienteRequest")


# --- Errors ----------------------------------------------------------------------------------


def test_every_api_operation_documents_its_client_errors(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert any(code.startswith("4") for code in codes), (method, path)
        if path.startswith("/api/v1/") and operation["security"]:
            assert "401" in codes, (method, path)
            if not path.startswith("/api/v1/auth/"):  # a role table: some role is refused
                assert "403" in codes, (method, path)




def test_each_operation_documents_its_error_codes():
    schema = generate()

    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    retrieve = schema["paths"]["/api/v1/citas/{id}/"]["get"]["responses"]
    assert retrieve["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse404"
    }
    assert component(schema, "Error404")["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode404Enum"}
    assert set(component(schema, "ErrorCode401Enum")["enum"]) == {
        "not_authenticated", "authentication_failed", "no_active_account", "token_not_valid", "user_inactive",
    }  # fmt: skip
    create = schema["paths"]["/api/v1/citas/"]["post"]["responses"]
    assert {"400", "401", "403", "405", "406", "415", "429", "500"} <= set(create)
    assert "Error" not in schema["components"]["schemas"]  # the v1 {"detail"} shape is gone
    assert_enums_are_named_components(schema)


# --- Documentation pages ---------------------------------------------------------------------

OUTSIDE_URL = re.compile(rb"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_reference_only_files_of_this_host(anon_client, path):
    page = anon_client.get(path).content

    assert not OUTSIDE_URL.search(page)
    assert b"fonts.googleapis.com" not in page and b"fonts.gstatic.com" not in page
    for url in re.findall(rb"""(?:src|href)="([^"]+)\"""", page):
        assert url.startswith((b"/static/drf_spectacular_sidecar/", b"/api/")), url


@pytest.mark.django_db
def test_redoc_gets_its_settings_as_attributes_with_system_fonts(anon_client):
    page = anon_client.get("/api/redoc/").content.decode()

    (theme,) = re.findall(r'<redoc spec-url="/api/schema/" theme="([^"]+)"></redoc>', page)
    assert json.loads(html.unescape(theme)) == spectacular_settings.REDOC_UI_SETTINGS["theme"]
    assert "Montserrat" not in page


def test_the_redoc_bundle_itself_loads_no_outside_font():
    bundle = finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")

    with open(bundle, encoding="utf-8") as source:
        text = source.read()
    assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text


@pytest.mark.django_db
def test_swagger_ui_sends_the_schema_to_no_outside_validator(anon_client):
    script = anon_client.get("/api/docs/", {"script": ""}).content.decode()

    assert '"validatorUrl": null' in script
    assert "validator.swagger.io" not in script
