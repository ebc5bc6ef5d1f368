"""Clientes' contact channels (contract v1.1): movil, consent per channel, the preferred channel,
phones stored normalised and found however they are typed."""

import pytest

from accounts.models import Rol
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/clientes/"


def nuevo(**extra):
    return {"nombre": "Carmen", "apellidos": "Ruiz Gómez", "telefono": "600 111 222", **extra}


@pytest.fixture
def recepcion(api_client):
    return api_client(Rol.RECEPCIONISTA)


def codes(response, attr):
    """The error codes of `attr` (the flat DRF body, or the v1.1 `errors` list)."""
    if "errors" in response.data:
        return [error["code"] for error in response.data["errors"] if error["attr"] == attr]
    return [error.code for error in response.data[attr]]


# --- consent defaults and choices ---------------------------------------------------


def test_a_new_client_accepts_email_only_and_prefers_email(recepcion):
    # when a client is created without saying anything about channels
    response = recepcion.post(URL, nuevo(), format="json")

    # then email is accepted, SMS and WhatsApp are not, and email is the preferred channel
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["acepta_email"], body["acepta_sms"], body["acepta_whatsapp"]) == (True, False, False)
    assert body["canal_preferido"] == "email"
    assert body["movil"] == ""


def test_consents_and_preferred_channel_are_stored_as_given(recepcion):
    response = recepcion.post(
        URL,
        nuevo(
            movil="611 222 333", acepta_email=False, acepta_sms=True, acepta_whatsapp=True, canal_preferido="whatsapp"
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    cliente = Cliente.objects.get(pk=response.json()["id"])
    assert (cliente.acepta_email, cliente.acepta_sms, cliente.acepta_whatsapp) == (False, True, True)
    assert cliente.canal_preferido == "whatsapp"


def test_an_unknown_preferred_channel_is_400_invalid_choice(recepcion):
    response = recepcion.post(URL, nuevo(canal_preferido="paloma"), format="json")

    assert response.status_code == 400
    assert codes(response, "canal_preferido") == ["invalid_choice"]
    assert not Cliente.objects.exists()


def test_an_owner_changes_their_own_consents(client_for, cliente):
    response = client_for(cliente.usuario).patch(
        f"{URL}{cliente.id}/", {"acepta_sms": True, "movil": "+34 622 333 444", "canal_preferido": "sms"}, format="json"
    )

    assert response.status_code == 200, response.json()
    cliente.refresh_from_db()
    assert (cliente.acepta_sms, cliente.movil, cliente.canal_preferido) == (True, "+34622333444", "sms")


# --- movil ----------------------------------------------------------------------------------


@pytest.mark.parametrize("movil", ["915 551 234", "900 100 200", "600 111", "llámame"])
def test_a_movil_that_is_not_a_valid_mobile_number_is_400_movil_invalido(recepcion, movil):
    # when a client is created with a landline, a toll-free number, a short number or text as movil
    response = recepcion.post(URL, nuevo(movil=movil), format="json")

    # then it is refused on movil with its own code, and nothing is stored
    assert response.status_code == 400
    assert codes(response, "movil") == ["movil_invalido"]
    assert not Cliente.objects.exists()


def test_an_invalid_movil_on_update_changes_nothing(recepcion):
    cliente = ClienteFactory(movil="+34611000111")

    response = recepcion.patch(f"{URL}{cliente.id}/", {"movil": "915551234", "notas": "x"}, format="json")

    assert response.status_code == 400
    assert codes(response, "movil") == ["movil_invalido"]
    cliente.refresh_from_db()
    assert (cliente.movil, cliente.notas) == ("+34611000111", "")


# --- phones stored normalised --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["600 111 222", "600-111-222", "+34 600111222", "0034600111222"])
def test_phones_are_stored_and_answered_in_e164_however_typed(recepcion, typed):
    response = recepcion.post(URL, nuevo(telefono=typed, movil=typed), format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["telefono"], response.json()["movil"]) == ("+34600111222", "+34600111222")
    cliente = Cliente.objects.get()
    assert (cliente.telefono, cliente.movil) == ("+34600111222", "+34600111222")


def test_a_telefono_that_does_not_parse_is_kept_as_typed_trimmed(recepcion):
    response = recepcion.post(URL, nuevo(telefono="  91 555 12 ext. 3 "), format="json")

    assert response.status_code == 201, response.json()
    assert Cliente.objects.get().telefono == "91 555 12 ext. 3"


def test_the_same_number_written_another_way_is_no_change(recepcion):
    # given a client whose phone is stored normalised
    cliente = ClienteFactory(telefono="+34600111222")
    before = cliente.history.count()

    # when the same number is sent written another way
    response = recepcion.patch(f"{URL}{cliente.id}/", {"telefono": "600 111 222"}, format="json")

    # then nothing is written: no new audit row
    assert response.status_code == 200
    assert cliente.history.count() == before


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["600 111 222", "600-111-222", "+34 600111222", "0034600111222", "+34600111222", "600111222", "600 111"]
)
def test_search_finds_a_phone_whatever_spaces_dashes_or_prefix_the_query_has(recepcion, query):
    # given a client with that telefono, one with it as movil, and one with another number
    # (no documento or email: their digits must not match the parts of the query by chance)
    sin = {"documento": "", "email": ""}
    por_telefono = ClienteFactory(telefono="+34600111222", **sin)
    por_movil = ClienteFactory(telefono="+34911000000", movil="+34600111222", **sin)
    ClienteFactory(telefono="+34600999888", movil="+34611222333", **sin)

    # when staff search for the number as typed
    response = recepcion.get(URL, {"search": query})

    # then both clients holding it are found, and only them
    assert response.status_code == 200
    assert {c["id"] for c in response.json()["results"]} == {por_telefono.id, por_movil.id}


def test_a_phone_search_still_finds_a_documento_of_digits(recepcion):
    con_documento = ClienteFactory(documento="60011122")
    ClienteFactory(telefono="+34611000000")

    response = recepcion.get(URL, {"search": "60011122"})

    assert {c["id"] for c in response.json()["results"]} == {con_documento.id}


def test_text_searches_are_unchanged(recepcion):
    ana = ClienteFactory(nombre="Anaqx", apellidos="Pérez")
    ClienteFactory(nombre="Luis", apellidos="Pérez")

    response = recepcion.get(URL, {"search": "anaqx pérez"})

    assert {c["id"] for c in response.json()["results"]} == {ana.id}


def test_an_owner_searching_a_phone_sees_only_their_own_record(client_for, cliente):
    Cliente.objects.filter(pk=cliente.pk).update(telefono="+34600111222")
    ClienteFactory(telefono="+34600111222")

    response = client_for(cliente.usuario).get(URL, {"search": "600 111 222"})

    assert [c["id"] for c in response.json()["results"]] == [cliente.id]
