"""Schema fuzzing: schemathesis drives every operation of our own OpenAPI schema, as each staff
role, and every response must be documented (status code, content type, body shape), never 5xx."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Rol
from accounts.tests.factories import UserFactory
from clientes.tests.factories import ClienteFactory
from conftest import bearer
from pacientes.tests.factories import PacienteFactory
from vetclinic.wsgi import application

schema = from_wsgi("/api/schema/?format=json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def keep_test_connection():
    """schemathesis calls the WSGI app directly, not through Django's test client, so the
    request signals would close the test's database connection mid-transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def some_data(db):
    """A few rows so that generated ids sometimes hit real objects."""
    for cliente in ClienteFactory.create_batch(3):
        PacienteFactory(propietario=cliente)


@pytest.mark.parametrize("rol", [Rol.ADMIN, Rol.VETERINARIO, Rol.RECEPCIONISTA])
@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.django_db
def test_every_operation_conforms_to_the_schema(case, rol, some_data):
    user = UserFactory(rol=rol)
    headers = {"Authorization": bearer(user)["HTTP_AUTHORIZATION"]}

    case.call_and_validate(headers=headers, checks=CHECKS)
