"""The OpenAPI schema lists, for every operation, the error statuses it can answer and their codes."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, ref_or_schema):
    while "$ref" in ref_or_schema:
        ref_or_schema = schema["components"]["schemas"][ref_or_schema["$ref"].split("/")[-1]]
    return ref_or_schema


def error_schema(schema, path, method, status):
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return resolve(schema, content)


def codes_of(schema, path, method, status):
    errors = resolve(schema, error_schema(schema, path, method, status)["properties"]["errors"]["items"])
    return set(resolve(schema, errors["properties"]["code"])["enum"])


def codes_by_attr(schema, path, method):
    """{attr: codes} of an operation's 400 (one component per attr)."""
    errors = resolve(schema, error_schema(schema, path, method, "400")["properties"]["errors"]["items"])
    found = {}
    for option in errors["oneOf"]:
        component = resolve(schema, option)
        # the request-level errors' attr is a nullable string with no enum (api.schema.type_nullable_enums)
        (attr,) = resolve(schema, component["properties"]["attr"]).get("enum", [None])
        found[attr] = set(resolve(schema, component["properties"]["code"])["enum"])
    return found


def test_every_operation_documents_the_errors_any_request_can_meet(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"400", "405", "500", "503"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize(
    "path,method,codes",
    [
        ("/api/v1/citas/", "post", {"solape_veterinario", "solape_paciente", "solape_bloqueo"}),
        ("/api/v1/citas/{id}/", "patch", {"no_reprogramable", "solape_veterinario"}),
        ("/api/v1/citas/{id}/confirmar/", "post", {"transicion_invalida"}),
        ("/api/v1/bloqueos/", "post", {"bloqueo_con_citas"}),
        ("/api/v1/clientes/{id}/", "delete", {"tiene_historial"}),
        ("/api/v1/pacientes/{id}/", "delete", {"tiene_historial"}),
    ],
)
def test_a_conflict_is_documented_with_the_codes_of_that_operation(schema, path, method, codes):
    assert codes <= codes_of(schema, path, method, "409")


def test_operations_that_cannot_conflict_document_no_409(schema):
    assert "409" not in schema["paths"]["/api/v1/clientes/"]["get"]["responses"]
    # a POST's only 409 is a retry of its Idempotency-Key while the first one runs
    assert codes_of(schema, "/api/v1/clientes/", "post", "409") == {"idempotency_in_progress"}
    assert "transicion_invalida" not in codes_of(schema, "/api/v1/citas/", "post", "409")


def test_the_bloqueo_conflict_documents_the_citas_it_lists(schema):
    assert "citas" in error_schema(schema, "/api/v1/bloqueos/", "post", "409")["properties"]
    assert "citas" not in error_schema(schema, "/api/v1/citas/", "post", "409")["properties"]


def test_the_login_documents_its_401(schema):
    assert "no_active_account" in codes_of(schema, "/api/v1/auth/token/", "post", "401")
    assert "token_not_valid" in codes_of(schema, "/api/v1/auth/token/refresh/", "post", "401")


def test_a_body_too_large_is_documented_on_writes(schema):
    assert codes_of(schema, "/api/v1/clientes/", "post", "413") == {"request_too_large"}
    assert "413" not in schema["paths"]["/api/v1/clientes/"]["get"]["responses"]


def test_domain_rules_are_documented_on_their_fields(schema):
    booking = codes_by_attr(schema, "/api/v1/citas/", "post")
    paciente = codes_by_attr(schema, "/api/v1/pacientes/", "post")

    assert {"inicio_en_pasado", "hueco_no_disponible", "fecha_fuera_de_rango"} <= booking["inicio"]
    assert {"fecha_futura"} <= paciente["fecha_nacimiento"]
    assert {"microchip_invalido", "unique"} <= paciente["microchip"]
    assert {"parse_error", "bad_request"} <= paciente[None]


def test_query_parameters_checked_by_the_view_are_documented(schema):
    assert {"max_length", "max_terms"} <= codes_by_attr(schema, "/api/v1/clientes/", "get")["search"]
    assert "does_not_exist" in codes_by_attr(schema, "/api/v1/citas/disponibilidad/", "get")["veterinario"]


def test_errors_inside_nested_lists_are_documented_by_the_index_the_api_answers(schema):
    errors = resolve(schema, error_schema(schema, "/api/v1/facturas/", "post", "400")["properties"]["errors"]["items"])
    attrs = [resolve(schema, option)["properties"]["attr"] for option in errors["anyOf"]]
    patterns = [re.compile(attr["pattern"]) for attr in attrs if "pattern" in attr]

    def documented(attr):
        return [p.pattern for p in patterns if p.fullmatch(attr)]

    assert len(documented("lineas.0.cantidad")) == 1
    assert len(documented("lineas.12.descripcion")) == 1
    assert len(documented("lineas")) == 1  # the list as a whole (null, not a list)
    assert documented("lineas.x.cantidad") == []
    assert documented("lineas.INDEX.cantidad") == []
    assert "oneOf" not in errors and "discriminator" not in errors
