"""The contract's rules for every list: strict parameters, page and cursor modes, actualizado_desde."""

import datetime
import functools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from accounts.models import Rol
from accounts.tests.factories import AdminFactory, VeterinarioFactory
from citas.tests.factories import BloqueoFactory, CitaFactory, manana_a_las
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from facturacion import services as facturacion_services
from facturacion.tests.factories import emitida
from historial.tests.factories import ConsultaFactory, VacunaFactory
from integraciones.tests.factories import WebhookFactory, integracion_con_clave
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory
from recordatorios.tests.factories import MensajeFactory, PlantillaFactory
from sedes.tests.factories import SedeFactory
from tests.errors import error_code


def list_paths():
    return sorted(
        {
            path
            for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
            if method == "GET" and path.startswith("/api/v1/") and getattr(callback, "actions", {}).get("get") == "list"
        }
    )


LISTS = list_paths()


@functools.cache
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


# The lists whose rows have `actualizado_en` (and so `?actualizado_desde=`).
UPDATED_SINCE = {
    "/api/v1/bloqueos/",
    "/api/v1/integraciones/",
    "/api/v1/webhooks/",
    "/api/v1/citas/",
    "/api/v1/clientes/",
    "/api/v1/clientes/{cliente_pk}/pacientes/",
    "/api/v1/consultas/",
    "/api/v1/facturas/",
    "/api/v1/impuestos/",
    "/api/v1/pacientes/",
    "/api/v1/pagos/",
    "/api/v1/presupuestos/",
    "/api/v1/productos/",
    "/api/v1/mensajes/",
    "/api/v1/plantillas/",
    "/api/v1/sedes/",
    "/api/v1/vacunas/",
}
# Computed rows (a UNION of vaccine doses and citas) with no id to keep a cursor on: page mode only.
PAGE_MODE_ONLY = {"/api/v1/recordatorios/"}


def errors(response):
    """{attr: code} of a 400, in DRF's shape ({attr: [ErrorDetail]}) or the standardized one
    ({"errors": [{"attr", "code"}]})."""
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        return {e["attr"]: e["code"] for e in data["errors"]}
    return {attr: details[0].code for attr, details in data.items()}


@pytest.fixture
def admin_api(api_client):
    return api_client(Rol.ADMIN)


@pytest.fixture
def world(db):
    cliente = ClienteFactory()
    PacienteFactory(propietario=cliente)
    return {"cliente_pk": cliente.pk}


# --- strict parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_parameter_is_a_400_named_after_it(admin_api, world, path):
    response = admin_api.get(path.format(**world), {"colour": "azul"})

    assert response.status_code == 400
    assert errors(response) == {"colour": "unknown_parameter"}


@pytest.mark.parametrize("path", LISTS)
def test_format_and_the_pagination_parameters_are_always_accepted(admin_api, world, path):
    response = admin_api.get(path.format(**world), {"format": "json", "page": 1, "page_size": 5})

    assert response.status_code == 200, response.content[:300]
    assert {"count", "count_estimado", "next", "previous", "results"} <= response.json().keys()


@pytest.mark.parametrize("path", LISTS)
def test_every_parameter_the_schema_documents_is_one_the_list_defines(admin_api, world, path):
    documented = [p["name"] for p in schema()["paths"][path]["get"].get("parameters", []) if p["in"] == "query"]

    for name in documented:
        # `cursor` belongs to cursor mode (page mode refuses it, see below)
        mode = {"paginacion": "cursor"} if name == "cursor" else {}
        response = admin_api.get(path.format(**world), {**mode, name: "1"})

        assert "unknown_parameter" not in (errors(response).values() if response.status_code == 400 else ()), name


def test_the_schema_documents_search_ordering_and_actualizado_desde_only_where_they_exist():
    def names(path):
        return {p["name"] for p in schema()["paths"][path]["get"]["parameters"]}

    assert {"search", "ordering", "actualizado_desde", "paginacion", "cursor"} <= names("/api/v1/pacientes/")
    assert "search" not in names("/api/v1/consultas/")
    assert "ordering" not in names("/api/v1/horarios/")
    assert "actualizado_desde" not in names("/api/v1/usuarios/")
    assert {"paginacion", "cursor"}.isdisjoint(names("/api/v1/recordatorios/"))
    assert {"desde", "hasta", "tipo", "enviado", "page", "page_size"} <= names("/api/v1/recordatorios/")


def test_search_on_a_list_without_search_fields_is_an_unknown_parameter(admin_api, db):
    response = admin_api.get("/api/v1/consultas/", {"search": "cojera"})

    assert errors(response) == {"search": "unknown_parameter"}


def test_ordering_on_a_list_without_orderings_is_an_unknown_parameter(admin_api, db):
    response = admin_api.get("/api/v1/horarios/", {"ordering": "dia_semana"})

    assert errors(response) == {"ordering": "unknown_parameter"}


@pytest.mark.parametrize("ordering", ["microchip", "nombre,propietario__documento", "--nombre", "-"])
def test_an_ordering_field_the_list_does_not_offer_is_a_400_invalid_ordering(admin_api, db, ordering):
    response = admin_api.get("/api/v1/pacientes/", {"ordering": ordering})

    assert response.status_code == 400
    assert errors(response) == {"ordering": "invalid_ordering"}


def test_a_valid_ordering_orders_the_list(admin_api, db):
    for nombre in ("Bruno", "Akira", "Coco"):
        PacienteFactory(nombre=nombre)

    response = admin_api.get("/api/v1/pacientes/", {"ordering": "-nombre"})

    assert [p["nombre"] for p in response.json()["results"]] == ["Coco", "Bruno", "Akira"]


@pytest.mark.parametrize(
    "query",
    [
        {"especie": "dragon"},  # unknown choice
        {"propietario": "abc"},  # non-numeric id
        {"fallecido": "quizas"},
        {"propietario": "999999"},  # no such cliente
    ],
)
def test_an_invalid_filter_value_is_a_400(admin_api, db, query):
    response = admin_api.get("/api/v1/pacientes/", query)

    assert response.status_code == 400
    assert set(errors(response)) == set(query)


@pytest.mark.parametrize("value", ["1.5", "1.0", "1e3", "99999999999999999999", "9" * 5000, "-" + "9" * 5000])
def test_an_id_filter_takes_only_an_integer(admin_api, db, value):
    # `despues_de` is an event id: a fraction, an exponent or a number past a bigint is a 400
    response = admin_api.get("/api/v1/eventos/", {"despues_de": value})

    assert response.status_code == 400
    assert set(errors(response)) == {"despues_de"}


def test_an_integer_model_field_filters_through_the_integer_filter():
    from api.filters import FilterSet, IntegerFilter
    from integraciones.models import Webhook

    class WebhookFilterSet(FilterSet):
        class Meta:
            model = Webhook
            fields = ["id", "fallos_consecutivos"]

    assert {type(f) for f in WebhookFilterSet.base_filters.values()} == {IntegerFilter}


def test_a_filter_id_outside_the_callers_scope_is_a_400(api_client, db):
    otro = ClienteFactory()
    owner_api = api_client(Rol.CLIENTE)

    response = owner_api.get("/api/v1/pacientes/", {"propietario": otro.pk})

    assert response.status_code == 400
    assert set(errors(response)) == {"propietario"}


def test_disponibilidad_refuses_an_unknown_parameter(admin_api, db):
    vet = VeterinarioFactory()

    response = admin_api.get("/api/v1/citas/disponibilidad/", {"veterinario": vet.pk, "fecha": "2031-05-05", "x": 1})

    assert errors(response) == {"x": "unknown_parameter"}


def extra_get_actions():
    """The GET routes a viewset adds besides `list` and `retrieve` (`/webhooks/{pk}/entregas/`…)."""
    return sorted(
        {
            path
            for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
            if method == "GET"
            and path.startswith("/api/v1/")
            and getattr(callback, "actions", {}).get("get") not in (None, "list", "retrieve")
        }
    )


# The object each extra action's {pk} names, by the route's first segment.
OBJECT_OF = {
    "webhooks": lambda: WebhookFactory().pk,
    "pacientes": lambda: PacienteFactory().pk,
    "facturas": lambda: emitida(actor=AdminFactory()).pk,
}


@pytest.mark.parametrize("path", extra_get_actions())
def test_no_extra_action_answers_a_page_whatever_parameter_it_is_given(admin_api, db, path):
    # a page is a list: its parameters are as strict as a list's (entregas paginates)
    if "{pk}" in path:
        path = path.format(pk=OBJECT_OF[path.split("/")[3]]())

    response = admin_api.get(path, {"colour": "azul"})

    data = getattr(response, "data", None)  # a PDF has none
    is_page = response.status_code == 200 and isinstance(data, dict) and "results" in data
    assert not is_page, data
    if "entregas" in path:
        assert errors(response) == {"colour": "unknown_parameter"}


# --- page mode ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["0", "-1", "abc", "1000", "101", "2.5", ""])
def test_a_page_size_outside_1_to_100_is_a_400(admin_api, db, page_size):
    response = admin_api.get("/api/v1/clientes/", {"page_size": page_size})

    assert response.status_code == 400
    assert set(errors(response)) == {"page_size"}


@pytest.mark.parametrize("page_size", ["1", "100"])
def test_page_size_accepts_its_bounds(admin_api, db, page_size):
    ClienteFactory.create_batch(2)

    response = admin_api.get("/api/v1/clientes/", {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(2, int(page_size))


@pytest.mark.parametrize("page", ["3", "0", "abc"])
def test_a_page_past_the_end_or_not_a_page_number_is_a_404(admin_api, db, page):
    ClienteFactory.create_batch(3)

    response = admin_api.get("/api/v1/clientes/", {"page_size": 2, "page": page})

    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_a_filtered_list_is_counted_exactly_and_says_so(admin_api, db):
    PacienteFactory.create_batch(3, especie="gato")
    PacienteFactory(especie="perro")

    body = admin_api.get("/api/v1/pacientes/", {"especie": "gato"}).json()

    assert body["count"] == 3
    assert body["count_estimado"] is False


def test_page_mode_may_be_named_explicitly(admin_api, db):
    ClienteFactory.create_batch(2)

    body = admin_api.get("/api/v1/clientes/", {"paginacion": "pagina"}).json()

    assert body["count"] == 2


# --- cursor mode -------------------------------------------------------------------------------


def walk(api, path, query, *, between_pages=None):
    """Follows `next` from the first cursor page; returns the ids seen, in order."""
    seen, url, params = [], path, {**query, "paginacion": "cursor"}
    while url:
        response = api.get(url, params)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
        if url and between_pages:
            between_pages()
    return seen


@pytest.mark.parametrize("path", sorted(set(LISTS) - PAGE_MODE_ONLY))
def test_every_list_but_recordatorios_offers_cursor_mode(admin_api, world, path):
    response = admin_api.get(path.format(**world), {"paginacion": "cursor", "page_size": 1})

    assert response.status_code == 200, response.content[:300]
    assert set(response.json()) == {"next", "previous", "results"}


def test_recordatorios_has_no_cursor_mode(admin_api, db):
    response = admin_api.get("/api/v1/recordatorios/", {"paginacion": "cursor"})

    assert errors(response) == {"paginacion": "unknown_parameter"}


def test_an_unknown_pagination_mode_is_a_400(admin_api, db):
    response = admin_api.get("/api/v1/clientes/", {"paginacion": "infinita"})

    assert errors(response) == {"paginacion": "invalid_choice"}


def test_each_mode_refuses_the_others_parameter(admin_api, db):
    assert errors(admin_api.get("/api/v1/clientes/", {"paginacion": "cursor", "page": 2})) == {
        "page": "unknown_parameter"
    }
    assert errors(admin_api.get("/api/v1/clientes/", {"cursor": "abc"})) == {"cursor": "unknown_parameter"}


def test_a_cursor_walk_in_id_order_repeats_and_skips_nothing_while_rows_are_inserted(admin_api, db):
    # given 7 pacientes, and 2 more inserted after each page read
    PacienteFactory.create_batch(7)
    propietario = ClienteFactory()

    def insert():
        PacienteFactory.create_batch(2, propietario=propietario)

    # when a client walks the list 3 at a time
    seen = walk(admin_api, "/api/v1/pacientes/", {"page_size": 3}, between_pages=insert)

    # then it reads every row once, in id order, the inserted ones (all after it) included
    assert seen == sorted(Paciente.objects.values_list("id", flat=True))


def test_a_cursor_walk_with_an_ordering_with_ties_repeats_and_skips_nothing_while_rows_are_inserted(admin_api, db):
    # given pacientes with many equal names (ties broken by id)
    for nombre in ["Luna"] * 5 + ["Bruno", "Toby", "Luna", "Coco", "Luna"]:
        PacienteFactory(nombre=nombre)
    before = set(Paciente.objects.values_list("id", flat=True))
    inserted = []

    def insert():
        # a row before anything read so far, and ties of the names around the position
        for nombre in ("Aaron", "Luna", "Zeus"):
            inserted.append(PacienteFactory(nombre=nombre).id)

    seen = walk(admin_api, "/api/v1/pacientes/", {"page_size": 3, "ordering": "nombre"}, between_pages=insert)

    # then no row is repeated, every row present at the start is read, in (nombre, id) order
    assert len(seen) == len(set(seen))
    assert before <= set(seen)
    keys = dict(Paciente.objects.values_list("id", "nombre"))
    assert seen == sorted(seen, key=lambda pk: (keys[pk], pk))
    # and the rows inserted behind the position (Aaron) are not read, those ahead (Zeus) are
    aarons = set(Paciente.objects.filter(nombre="Aaron").values_list("id", flat=True))
    assert aarons.isdisjoint(seen)
    assert set(Paciente.objects.filter(nombre="Zeus").values_list("id", flat=True)) <= set(seen)


def test_a_descending_ordering_breaks_ties_by_id_descending(admin_api, db):
    cuando = timezone.now() - datetime.timedelta(days=2)
    consultas = [ConsultaFactory(fecha=cuando) for _ in range(4)] + [ConsultaFactory()]

    seen = walk(admin_api, "/api/v1/consultas/", {"page_size": 2, "ordering": "-fecha"})

    assert seen == [consultas[4].id, *sorted((c.id for c in consultas[:4]), reverse=True)]


@pytest.mark.parametrize("ordering", ["fecha_nacimiento", "-fecha_nacimiento"])
def test_a_cursor_walk_over_a_nullable_field_reads_every_row_once(admin_api, db, ordering):
    hoy = datetime.date.today()
    for dias in (None, 300, None, 100, 300, None, 200):
        PacienteFactory(fecha_nacimiento=None if dias is None else hoy - datetime.timedelta(days=dias))

    seen = walk(admin_api, "/api/v1/pacientes/", {"page_size": 2, "ordering": ordering})

    rows = list(Paciente.objects.values_list("id", "fecha_nacimiento"))
    # ascending: NULLs last; descending: the exact reverse (NULLs first, then ids descending)
    ascending = [pk for pk, _ in sorted(rows, key=lambda r: (r[1] is None, r[1] or hoy, r[0]))]
    assert seen == (ascending if ordering.startswith("f") else ascending[::-1])


def test_previous_goes_back_through_the_same_pages(admin_api, db):
    ClienteFactory.create_batch(5)
    query = {"paginacion": "cursor", "page_size": 2, "ordering": "apellidos,nombre"}
    first = admin_api.get("/api/v1/clientes/", query).json()
    second = admin_api.get(first["next"]).json()
    third = admin_api.get(second["next"]).json()

    back = admin_api.get(third["previous"]).json()
    start = admin_api.get(back["previous"]).json()

    assert third["next"] is None and first["previous"] is None
    assert [c["id"] for c in back["results"]] == [c["id"] for c in second["results"]]
    assert [c["id"] for c in start["results"]] == [c["id"] for c in first["results"]]
    assert start["previous"] is None


@pytest.mark.parametrize("cursor", ["not-base64!", "cD0x", ""])
def test_a_forged_cursor_is_a_404(admin_api, db, cursor):
    response = admin_api.get("/api/v1/clientes/", {"paginacion": "cursor", "cursor": cursor})

    assert response.status_code == 404


def test_a_cursor_of_another_ordering_is_a_404(admin_api, db):
    ClienteFactory.create_batch(3)
    first = admin_api.get("/api/v1/clientes/", {"paginacion": "cursor", "page_size": 1}).json()

    response = admin_api.get(first["next"] + "&ordering=nombre")

    assert response.status_code == 404


def test_a_cursor_page_runs_the_same_queries_at_any_depth(admin_api, db, django_assert_max_num_queries):
    vet = VeterinarioFactory()
    for i in range(30):
        inicio = manana_a_las(8) + datetime.timedelta(days=i)
        CitaFactory(veterinario=vet, inicio=inicio, fin=inicio + datetime.timedelta(minutes=30))
    url, counts = "/api/v1/citas/?paginacion=cursor&page_size=5&ordering=inicio", []
    while url:
        # the caller (authentication) and the page: no count, no offset
        with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as queries:
            body = admin_api.get(url).json()
        counts.append(len(queries))
        assert "OFFSET" not in queries.captured_queries[-1]["sql"].upper()
        url = body["next"]

    assert len(counts) == 6 and len(set(counts)) == 1


# The big tables' cursor orders: `id` (the default) and each list's default ordering.
CURSOR_ORDERS = [
    ("/api/v1/citas/", None, "citas_cita_pkey"),
    ("/api/v1/citas/", "inicio", "citas_inicio_id_idx"),
    ("/api/v1/pacientes/", None, "pacientes_paciente_pkey"),
    ("/api/v1/pacientes/", "nombre", "pacientes_nombre_id_idx"),
    ("/api/v1/clientes/", None, "clientes_cliente_pkey"),
    ("/api/v1/clientes/", "apellidos,nombre", "clientes_orden_lista_idx"),
    ("/api/v1/consultas/", None, "pacientes_consulta_pkey"),
    ("/api/v1/consultas/", "-fecha", "consultas_fecha_idx"),
    ("/api/v1/vacunas/", None, "pacientes_vacuna_pkey"),
    ("/api/v1/vacunas/", "-fecha_aplicacion", "vacunas_fecha_id_idx"),
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
@pytest.mark.parametrize("path,ordering,index", CURSOR_ORDERS)
def test_a_cursor_page_past_the_first_is_read_off_an_index_without_sorting(admin_api, db, path, ordering, index):
    # given rows behind every big list, and the second cursor page of one of them
    for _ in range(3):
        CitaFactory()
        ConsultaFactory()
        VacunaFactory()
    query = {"paginacion": "cursor", "page_size": 1, **({"ordering": ordering} if ordering else {})}
    second = admin_api.get(path, query).json()["next"]
    with CaptureQueriesContext(connection) as queries:
        assert admin_api.get(second).status_code == 200

    # when PostgreSQL plans that page with sorting and sequential scans made prohibitive
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {queries.captured_queries[-1]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then an index gives the rows in the cursor's order, from the position on: no Sort node,
    # so the page costs the same at any depth
    assert "Sort" not in plan, plan
    assert f"using {index} on" in plan, plan


# --- actualizado_desde -------------------------------------------------------------------------


def _age(queryset, days):
    queryset.update(actualizado_en=timezone.now() - datetime.timedelta(days=days))


def test_actualizado_desde_lists_the_rows_updated_at_or_after_it(admin_api, db):
    viejo, nuevo, justo = ClienteFactory.create_batch(3)
    _age(Cliente.objects.filter(pk=viejo.pk), 10)
    _age(Cliente.objects.filter(pk=nuevo.pk), 1)
    limite = timezone.now() - datetime.timedelta(days=5)
    Cliente.objects.filter(pk=justo.pk).update(actualizado_en=limite)

    response = admin_api.get("/api/v1/clientes/", {"actualizado_desde": limite.isoformat()})

    assert sorted(c["id"] for c in response.json()["results"]) == sorted([nuevo.pk, justo.pk])


@pytest.mark.parametrize("path", sorted(UPDATED_SINCE))
def test_every_list_with_actualizado_en_filters_by_actualizado_desde(admin_api, path):
    vet = VeterinarioFactory()
    paciente = PacienteFactory()
    CitaFactory(paciente=paciente, veterinario=vet)
    ConsultaFactory(paciente=paciente, veterinario=vet)
    vacuna = VacunaFactory(paciente=paciente)
    BloqueoFactory(veterinario=vet, inicio=manana_a_las(20), fin=manana_a_las(21))
    factura = emitida(actor=admin_api.user, cliente=paciente.propietario)
    facturacion_services.pago_create(actor=admin_api.user, factura=factura, importe=Decimal("1.00"))
    facturacion_services.presupuesto_create(actor=admin_api.user, cliente=paciente.propietario, sede=factura.sede)
    WebhookFactory()
    integracion_con_clave(permisos=[])
    MensajeFactory(vacuna=vacuna)
    PlantillaFactory()
    SedeFactory()  # the default sede was made by the migrations, maybe long before this test
    url = path.format(cliente_pk=paciente.propietario_id)
    futuro = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
    pasado = (timezone.now() - datetime.timedelta(minutes=5)).isoformat()

    assert admin_api.get(url, {"actualizado_desde": futuro}).json()["count"] == 0
    assert admin_api.get(url, {"actualizado_desde": pasado}).json()["count"] >= 1


@pytest.mark.parametrize("path", sorted(set(LISTS) - UPDATED_SINCE))
def test_lists_without_actualizado_en_do_not_define_actualizado_desde(admin_api, world, path):
    response = admin_api.get(path.format(**world), {"actualizado_desde": "2026-01-01T00:00:00+00:00"})

    assert errors(response) == {"actualizado_desde": "unknown_parameter"}


@pytest.mark.parametrize(
    "value,code",
    [
        ("ayer", "invalid"),
        ("2026-13-01T00:00:00+00:00", "invalid"),
        ("9999-12-31T23:00:00+00:00", "fecha_fuera_de_rango"),
        ("1700-01-01T00:00:00Z", "fecha_fuera_de_rango"),
        ("2999-12-31T23:59:59-23:00", "fecha_fuera_de_rango"),
    ],
)
def test_a_bad_actualizado_desde_is_a_400(admin_api, db, value, code):
    response = admin_api.get("/api/v1/pacientes/", {"actualizado_desde": value})

    assert response.status_code == 400
    assert errors(response) == {"actualizado_desde": code}


def test_actualizado_desde_combines_with_cursor_mode(admin_api, db):
    viejos = PacienteFactory.create_batch(2)
    _age(Paciente.objects.filter(pk__in=[p.pk for p in viejos]), 3)
    nuevos = PacienteFactory.create_batch(3)
    desde = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    seen = walk(admin_api, "/api/v1/pacientes/", {"page_size": 2, "actualizado_desde": desde})

    assert seen == [p.pk for p in nuevos]
