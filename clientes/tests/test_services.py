"""clientes.services, called directly: which fields a write may touch, full_clean before every
save, the audit history, and deleting only what has no pacientes."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import ClienteUserFactory, RecepcionistaFactory
from clientes import services
from clientes.models import Cliente
from clientes.tests.factories import ClienteConUsuarioFactory, ClienteFactory
from core.exceptions import Conflict
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


def datos(**overrides):
    return {"nombre": "Ana", "apellidos": "Sol", "telefono": "+34 600 000 001", "email": "ana@correo.test", **overrides}


# --- cliente_create ---------------------------------------------------------------------------------


def test_cliente_create_stores_the_staff_fields():
    cliente = services.cliente_create(actor=RecepcionistaFactory(), **datos(ciudad="Bilbao", notas="Prefiere tardes"))

    stored = Cliente.objects.get(pk=cliente.pk)
    assert (stored.nombre, stored.apellidos, stored.ciudad, stored.notas) == ("Ana", "Sol", "Bilbao", "Prefiere tardes")


def test_cliente_create_ignores_fields_staff_do_not_write():
    user = ClienteUserFactory()

    cliente = services.cliente_create(actor=RecepcionistaFactory(), **datos(usuario=user, id=999_999))

    stored = Cliente.objects.get(pk=cliente.pk)
    assert stored.usuario is None
    assert stored.pk != 999_999


def test_cliente_create_records_the_actor_in_the_history():
    actor = RecepcionistaFactory()

    cliente = services.cliente_create(actor=actor, **datos())

    [entry] = Cliente.history.filter(id=cliente.pk)
    assert (entry.history_type, entry.history_user) == ("+", actor)


def test_cliente_create_validates_the_model_before_saving():
    with pytest.raises(ValidationError) as raised:
        services.cliente_create(actor=RecepcionistaFactory(), **datos(nombre="Ana\nBcc: x@evil.test", telefono=""))

    assert set(raised.value.message_dict) == {"nombre", "telefono"}
    assert not Cliente.objects.exists()


def test_cliente_create_refuses_a_documento_taken_in_another_case():
    ClienteFactory(documento="12345678z")

    with pytest.raises(ValidationError):
        services.cliente_create(actor=RecepcionistaFactory(), **datos(documento="12345678Z"))

    assert Cliente.objects.filter(documento__iexact="12345678z").count() == 1


def test_several_clientes_without_documento_are_fine():
    ClienteFactory(documento="")

    services.cliente_create(actor=RecepcionistaFactory(), **datos(documento=""))

    assert Cliente.objects.filter(documento="").count() == 2


# --- cliente_update ---------------------------------------------------------------------------------


def test_cliente_update_changes_the_fields_given_and_records_who():
    actor = RecepcionistaFactory()
    cliente = ClienteFactory(telefono="+34 600 000 000", ciudad="Madrid")

    services.cliente_update(actor=actor, cliente=cliente, data={"telefono": "+34 611 111 111"})

    stored = Cliente.objects.get(pk=cliente.pk)
    assert (stored.telefono, stored.ciudad) == ("+34611111111", "Madrid")  # stored normalised (core.phones)
    latest = Cliente.history.filter(id=cliente.pk).latest()
    assert (latest.history_type, latest.history_user) == ("~", actor)


def test_an_owner_writes_only_the_owner_fields():
    cliente = ClienteConUsuarioFactory(notas="", activo=True)

    services.cliente_update(
        actor=cliente.usuario,
        cliente=cliente,
        data={"telefono": "+34 622 222 222", "notas": "VIP", "activo": False, "documento": "X"},
        fields=services.OWNER_EDITABLE_FIELDS,
    )

    stored = Cliente.objects.get(pk=cliente.pk)
    assert stored.telefono == "+34622222222"  # stored normalised (core.phones)
    assert (stored.notas, stored.activo, stored.documento) == ("", True, cliente.documento)


def test_cliente_update_never_writes_the_user_link():
    cliente = ClienteFactory()

    services.cliente_update(actor=RecepcionistaFactory(), cliente=cliente, data={"usuario": ClienteUserFactory()})

    assert Cliente.objects.get(pk=cliente.pk).usuario is None


def test_an_update_that_changes_nothing_writes_no_history():
    cliente = ClienteFactory(nombre="Ana")
    before = Cliente.history.filter(id=cliente.pk).count()

    services.cliente_update(actor=RecepcionistaFactory(), cliente=cliente, data={"nombre": "Ana"})

    assert Cliente.history.filter(id=cliente.pk).count() == before


def test_an_invalid_update_is_refused_and_changes_nothing():
    cliente = ClienteFactory(email="ana@correo.test", nombre="Ana")

    with pytest.raises(ValidationError) as raised:
        services.cliente_update(
            actor=RecepcionistaFactory(), cliente=cliente, data={"nombre": "Berta", "email": "no-es-un-email"}
        )

    assert set(raised.value.message_dict) == {"email"}
    stored = Cliente.objects.get(pk=cliente.pk)
    assert (stored.nombre, stored.email) == ("Ana", "ana@correo.test")


def test_cliente_update_refuses_the_documento_of_another_cliente():
    ClienteFactory(documento="11111111A")
    cliente = ClienteFactory(documento="22222222B")

    with pytest.raises(ValidationError):
        services.cliente_update(actor=RecepcionistaFactory(), cliente=cliente, data={"documento": "11111111a"})

    assert Cliente.objects.get(pk=cliente.pk).documento == "22222222B"


# --- cliente_delete ---------------------------------------------------------------------------------


def test_a_cliente_without_pacientes_is_deleted_and_the_deletion_recorded():
    actor = RecepcionistaFactory()
    cliente = ClienteFactory()

    pk = cliente.pk

    services.cliente_delete(actor=actor, cliente=cliente)

    assert not Cliente.objects.filter(pk=pk).exists()
    latest = Cliente.history.filter(id=pk).latest()
    assert (latest.history_type, latest.history_user) == ("-", actor)


def test_a_cliente_with_pacientes_is_a_conflict_and_stays():
    paciente = PacienteFactory()
    cliente = paciente.propietario

    with pytest.raises(Conflict):
        services.cliente_delete(actor=RecepcionistaFactory(), cliente=cliente)

    assert Cliente.objects.filter(pk=cliente.pk).exists()


def test_a_cliente_whose_pacientes_are_inactive_still_cannot_be_deleted():
    paciente = PacienteFactory(activo=False)

    with pytest.raises(Conflict):
        services.cliente_delete(actor=RecepcionistaFactory(), cliente=paciente.propietario)

    assert Cliente.objects.filter(pk=paciente.propietario_id).exists()
