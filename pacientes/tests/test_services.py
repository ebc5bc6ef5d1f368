"""pacientes.services, called directly: full_clean before every save, the audit history, deleting
only what has no history, and the weight rule (`peso_kg` follows the newest weighed consulta and
is not written by hand once one exists; the consultas are historial's, which registers them)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import RecepcionistaFactory
from citas.tests.factories import CitaFactory
from clientes.tests.factories import ClienteFactory
from core.exceptions import Conflict
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes import services
from pacientes.models import Especie, Paciente
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


def hace_dias(n):
    return timezone.now() - datetime.timedelta(days=n)


def peso_guardado(paciente):
    return Paciente.objects.get(pk=paciente.pk).peso_kg


# --- paciente_create -------------------------------------------------------------------------------


def test_paciente_create_stores_the_paciente_and_records_who():
    actor = RecepcionistaFactory()
    dueno = ClienteFactory()

    paciente = services.paciente_create(actor=actor, nombre="Lur", especie=Especie.GATO, propietario=dueno)

    stored = Paciente.objects.get(pk=paciente.pk)
    assert (stored.nombre, stored.especie, stored.propietario) == ("Lur", Especie.GATO, dueno)
    [entry] = Paciente.history.filter(id=paciente.pk)
    assert (entry.history_type, entry.history_user) == ("+", actor)


def test_paciente_create_ignores_fields_that_are_not_editable():
    paciente = services.paciente_create(
        actor=RecepcionistaFactory(), nombre="Lur", especie=Especie.GATO, propietario=ClienteFactory(), id=999_999
    )

    assert paciente.pk != 999_999


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"microchip": "12345"}, "microchip"),
        ({"fecha_nacimiento": datetime.date.today() + datetime.timedelta(days=2)}, "fecha_nacimiento"),
        ({"fallecido": True}, "fecha_fallecimiento"),
        ({"fecha_fallecimiento": datetime.date(2024, 1, 1)}, "fecha_fallecimiento"),
        ({"peso_kg": Decimal("0")}, "peso_kg"),
        ({"especie": "dragon"}, "especie"),
    ],
)
def test_paciente_create_validates_the_model_before_saving(extra, field):
    with pytest.raises(ValidationError) as raised:
        services.paciente_create(
            actor=RecepcionistaFactory(),
            nombre="Lur",
            propietario=ClienteFactory(),
            **{"especie": Especie.GATO, **extra},
        )

    assert field in raised.value.message_dict
    assert not Paciente.objects.exists()


def test_a_death_before_the_birth_is_refused():
    with pytest.raises(ValidationError) as raised:
        services.paciente_create(
            actor=RecepcionistaFactory(),
            nombre="Lur",
            especie=Especie.GATO,
            propietario=ClienteFactory(),
            fecha_nacimiento=datetime.date(2024, 5, 1),
            fallecido=True,
            fecha_fallecimiento=datetime.date(2024, 4, 1),
        )

    assert set(raised.value.message_dict) == {"fecha_fallecimiento"}


def test_paciente_create_refuses_a_microchip_already_taken():
    PacienteFactory(microchip="724000000000001")

    with pytest.raises(ValidationError):
        services.paciente_create(
            actor=RecepcionistaFactory(),
            nombre="Lur",
            especie=Especie.GATO,
            propietario=ClienteFactory(),
            microchip="724000000000001",
        )

    assert Paciente.objects.filter(microchip="724000000000001").count() == 1


# --- paciente_update -------------------------------------------------------------------------------


def test_paciente_update_changes_the_fields_given_and_records_who():
    actor = RecepcionistaFactory()
    paciente = PacienteFactory(nombre="Lur", raza="Mestizo")

    services.paciente_update(actor=actor, paciente=paciente, data={"nombre": "Kira"})

    stored = Paciente.objects.get(pk=paciente.pk)
    assert (stored.nombre, stored.raza) == ("Kira", "Mestizo")
    latest = Paciente.history.filter(id=paciente.pk).latest()
    assert (latest.history_type, latest.history_user) == ("~", actor)


def test_paciente_update_moves_a_paciente_to_another_owner():
    paciente = PacienteFactory()
    nuevo = ClienteFactory()

    services.paciente_update(actor=RecepcionistaFactory(), paciente=paciente, data={"propietario": nuevo})

    assert Paciente.objects.get(pk=paciente.pk).propietario == nuevo


def test_an_invalid_paciente_update_changes_nothing():
    paciente = PacienteFactory(nombre="Lur", microchip="724000000000009")

    with pytest.raises(ValidationError) as raised:
        services.paciente_update(
            actor=RecepcionistaFactory(), paciente=paciente, data={"nombre": "Kira", "microchip": "abc"}
        )

    assert set(raised.value.message_dict) == {"microchip"}
    stored = Paciente.objects.get(pk=paciente.pk)
    assert (stored.nombre, stored.microchip) == ("Lur", "724000000000009")


def test_marking_a_paciente_dead_needs_the_date():
    paciente = PacienteFactory()

    with pytest.raises(ValidationError) as raised:
        services.paciente_update(actor=RecepcionistaFactory(), paciente=paciente, data={"fallecido": True})

    assert set(raised.value.message_dict) == {"fecha_fallecimiento"}
    assert Paciente.objects.get(pk=paciente.pk).fallecido is False


def test_an_update_that_changes_nothing_writes_no_history():
    paciente = PacienteFactory(nombre="Lur")
    before = Paciente.history.filter(id=paciente.pk).count()

    services.paciente_update(actor=RecepcionistaFactory(), paciente=paciente, data={"nombre": "Lur"})

    assert Paciente.history.filter(id=paciente.pk).count() == before


# --- the weight rule: writing peso_kg by hand ------------------------------------------------------


def test_without_weighed_consultas_the_weight_is_written_by_hand():
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))
    ConsultaFactory(paciente=paciente, peso_kg=None)

    services.paciente_update(actor=RecepcionistaFactory(), paciente=paciente, data={"peso_kg": Decimal("4.50")})

    assert peso_guardado(paciente) == Decimal("4.50")


def test_once_a_consulta_weighed_the_paciente_a_different_weight_by_hand_is_refused():
    paciente = PacienteFactory()
    ConsultaFactory(paciente=paciente, peso_kg=Decimal("12.30"))
    paciente.peso_kg = Decimal("12.30")
    Paciente.objects.filter(pk=paciente.pk).update(peso_kg=Decimal("12.30"))

    with pytest.raises(ValidationError) as raised:
        services.paciente_update(
            actor=RecepcionistaFactory(), paciente=paciente, data={"peso_kg": Decimal("15.00"), "nombre": "Kira"}
        )

    assert set(raised.value.message_dict) == {"peso_kg"}
    stored = Paciente.objects.get(pk=paciente.pk)
    assert stored.peso_kg == Decimal("12.30")
    assert stored.nombre != "Kira"


def test_sending_back_the_weight_the_consultas_set_is_fine():
    paciente = PacienteFactory(nombre="Lur")
    ConsultaFactory(paciente=paciente, peso_kg=Decimal("12.30"))
    Paciente.objects.filter(pk=paciente.pk).update(peso_kg=Decimal("12.30"))
    paciente.refresh_from_db()

    services.paciente_update(
        actor=RecepcionistaFactory(), paciente=paciente, data={"peso_kg": Decimal("12.30"), "nombre": "Kira"}
    )

    stored = Paciente.objects.get(pk=paciente.pk)
    assert (stored.peso_kg, stored.nombre) == (Decimal("12.30"), "Kira")


def test_check_peso_manual_trusts_the_callers_medido_and_asks_no_query(django_assert_num_queries):
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))

    with django_assert_num_queries(0):
        services.check_peso_manual(paciente=paciente, peso_kg=Decimal("5.00"), medido=False)
        with pytest.raises(ValidationError) as raised:
            services.check_peso_manual(paciente=paciente, peso_kg=Decimal("5.00"), medido=True)

    assert set(raised.value.message_dict) == {"peso_kg"}


# --- the weight rule: sync_peso and latest_weight --------------------------------------------------


def test_latest_weight_is_the_weight_of_the_newest_weighed_consulta_by_fecha():
    paciente = PacienteFactory()
    ConsultaFactory(paciente=paciente, fecha=hace_dias(1), peso_kg=None)
    ConsultaFactory(paciente=paciente, fecha=hace_dias(3), peso_kg=Decimal("9.00"))
    # recorded later, but of an earlier visit
    ConsultaFactory(paciente=paciente, fecha=hace_dias(10), peso_kg=Decimal("7.00"))

    assert services.latest_weight(paciente) == Decimal("9.00")


def test_latest_weight_without_weighed_consultas_is_none():
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))
    ConsultaFactory(paciente=paciente, peso_kg=None)

    assert services.latest_weight(paciente) is None


def test_sync_peso_sets_the_weight_of_the_newest_weighed_consulta_and_records_who():
    actor = RecepcionistaFactory()
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))
    ConsultaFactory(paciente=paciente, fecha=hace_dias(2), peso_kg=Decimal("5.25"))

    services.sync_peso(paciente=paciente, actor=actor)

    assert peso_guardado(paciente) == Decimal("5.25")
    latest = Paciente.history.filter(id=paciente.pk).latest()
    assert latest.history_user == actor


def test_sync_peso_leaves_a_hand_written_weight_alone_without_weighed_consultas():
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))
    ConsultaFactory(paciente=paciente, peso_kg=None)
    before = Paciente.history.filter(id=paciente.pk).count()

    services.sync_peso(paciente=paciente)

    assert peso_guardado(paciente) == Decimal("4.00")
    assert Paciente.history.filter(id=paciente.pk).count() == before


def test_sync_peso_writes_nothing_when_the_weight_is_already_current():
    paciente = PacienteFactory(peso_kg=Decimal("5.25"))
    ConsultaFactory(paciente=paciente, peso_kg=Decimal("5.25"))
    before = Paciente.history.filter(id=paciente.pk).count()

    services.sync_peso(paciente=paciente)

    assert Paciente.history.filter(id=paciente.pk).count() == before


def test_another_pacientes_consultas_do_not_count():
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))
    ConsultaFactory(peso_kg=Decimal("30.00"))

    services.sync_peso(paciente=paciente)

    assert peso_guardado(paciente) == Decimal("4.00")


# --- paciente_delete ---------------------------------------------------------------------------------


def test_a_paciente_without_history_is_deleted_and_the_deletion_recorded():
    actor = RecepcionistaFactory()
    paciente = PacienteFactory()

    pk = paciente.pk

    services.paciente_delete(actor=actor, paciente=paciente)

    assert not Paciente.objects.filter(pk=pk).exists()
    latest = Paciente.history.filter(id=pk).latest()
    assert (latest.history_type, latest.history_user) == ("-", actor)


@pytest.mark.parametrize("factory", [CitaFactory, ConsultaFactory, VacunaFactory], ids=["cita", "consulta", "vacuna"])
def test_a_paciente_with_citas_or_clinical_history_is_a_conflict_and_stays(factory):
    paciente = factory().paciente

    with pytest.raises(Conflict):
        services.paciente_delete(actor=RecepcionistaFactory(), paciente=paciente)

    assert Paciente.objects.filter(pk=paciente.pk).exists()
