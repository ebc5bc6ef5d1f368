"""Headers that keep browsers from running injected code or caching personal data."""

import re

import pytest
from django.test import Client

from api.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/redoc/"])
def test_html_pages_carry_a_content_security_policy_without_inline_scripts(path):
    response = Client().get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    # Every script the page has is a file of this server: the policy lets nothing inline run.
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", response.content)


def test_the_swagger_initialiser_is_served_as_a_script_of_its_own():
    response = Client().get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]


def test_api_answers_are_never_stored_by_caches(client_for, admin_user):
    response = client_for(admin_user).get("/api/v1/clientes/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in response


def test_api_errors_are_not_stored_either(anon_client):
    response = anon_client.get("/api/v1/clientes/")

    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_the_app_sends_no_server_banner(client_for, admin_user):
    response = client_for(admin_user).get("/api/v1/clientes/")

    assert "Server" not in response
