"""historial.services, called directly: who authors a consulta, who may change it (the scoping
API), full_clean before every save, the audit history, and the weight rule (a consulta's weight
becomes the paciente's when it is the newest weighed one, through create, update and delete)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import AdminFactory, RecepcionistaFactory, VeterinarioFactory
from citas.tests.factories import CitaFactory
from clientes.tests.factories import ClienteConUsuarioFactory
from historial import services
from historial.models import Consulta, Vacuna
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


def hace_dias(n):
    return timezone.now() - datetime.timedelta(days=n)


def hoy():
    return timezone.localdate()


def peso_guardado(paciente):
    return Paciente.objects.get(pk=paciente.pk).peso_kg


# --- consulta_create: the author -------------------------------------------------------------------


def test_a_vet_records_a_consulta_as_its_author_whoever_they_name():
    vet, otro = VeterinarioFactory(), VeterinarioFactory()
    paciente = PacienteFactory()

    consulta = services.consulta_create(actor=vet, paciente=paciente, veterinario=otro, motivo="Cojera")

    stored = Consulta.objects.get(pk=consulta.pk)
    assert (stored.veterinario, stored.paciente, stored.motivo) == (vet, paciente, "Cojera")


def test_an_admin_records_a_consulta_for_the_vet_they_name():
    vet = VeterinarioFactory()

    consulta = services.consulta_create(actor=AdminFactory(), paciente=PacienteFactory(), veterinario=vet, motivo="X")

    assert Consulta.objects.get(pk=consulta.pk).veterinario == vet


def test_an_admin_must_name_the_vet():
    with pytest.raises(ValidationError) as raised:
        services.consulta_create(actor=AdminFactory(), paciente=PacienteFactory(), motivo="X")

    assert set(raised.value.message_dict) == {"veterinario"}
    assert not Consulta.objects.exists()


@pytest.mark.parametrize("named", ["recepcionista", "inactive vet"])
def test_an_admin_must_name_an_active_vet(named):
    user = RecepcionistaFactory() if named == "recepcionista" else VeterinarioFactory(is_active=False)

    with pytest.raises(ValidationError) as raised:
        services.consulta_create(actor=AdminFactory(), paciente=PacienteFactory(), veterinario=user, motivo="X")

    assert set(raised.value.message_dict) == {"veterinario"}
    assert not Consulta.objects.exists()


def test_a_recepcionista_cannot_author_a_consulta_even_naming_a_vet():
    with pytest.raises(ValidationError) as raised:
        services.consulta_create(
            actor=RecepcionistaFactory(), paciente=PacienteFactory(), veterinario=VeterinarioFactory(), motivo="X"
        )

    assert set(raised.value.message_dict) == {"veterinario"}
    assert not Consulta.objects.exists()


def test_a_deactivated_vet_cannot_record_consultas():
    vet = VeterinarioFactory(is_active=False)

    with pytest.raises(ValidationError) as raised:
        services.consulta_create(actor=vet, paciente=PacienteFactory(), motivo="X")

    assert set(raised.value.message_dict) == {"veterinario"}


# --- consulta_create: validation and history ------------------------------------------------------


def test_consulta_create_records_the_actor_in_the_history():
    vet = VeterinarioFactory()

    consulta = services.consulta_create(actor=vet, paciente=PacienteFactory(), motivo="X")

    [entry] = Consulta.history.filter(id=consulta.pk)
    assert (entry.history_type, entry.history_user) == ("+", vet)


def test_consulta_create_ignores_fields_that_are_not_editable():
    vet = VeterinarioFactory()
    paciente, otro = PacienteFactory(), PacienteFactory()

    consulta = services.consulta_create(actor=vet, paciente=paciente, motivo="X", paciente_id=otro.pk, id=999_999)

    stored = Consulta.objects.get(pk=consulta.pk)
    assert stored.paciente == paciente
    assert stored.pk != 999_999


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"motivo": ""}, "motivo"),
        ({"fecha": timezone.now() + datetime.timedelta(days=1)}, "fecha"),
        ({"temperatura_c": Decimal("50.0")}, "temperatura_c"),
        ({"peso_kg": Decimal("-1")}, "peso_kg"),
    ],
)
def test_consulta_create_validates_the_model_before_saving(extra, field):
    with pytest.raises(ValidationError) as raised:
        services.consulta_create(actor=VeterinarioFactory(), paciente=PacienteFactory(), **{"motivo": "X", **extra})

    assert field in raised.value.message_dict
    assert not Consulta.objects.exists()


def test_a_consulta_cannot_hang_from_another_pacientes_cita():
    cita = CitaFactory()

    with pytest.raises(ValidationError) as raised:
        services.consulta_create(actor=VeterinarioFactory(), paciente=PacienteFactory(), cita=cita, motivo="X")

    assert set(raised.value.message_dict) == {"cita"}
    assert not Consulta.objects.exists()


def test_a_consulta_may_hang_from_its_pacientes_cita():
    cita = CitaFactory()

    consulta = services.consulta_create(actor=VeterinarioFactory(), paciente=cita.paciente, cita=cita, motivo="X")

    assert Consulta.objects.get(pk=consulta.pk).cita == cita


# --- consulta_create: the weight rule --------------------------------------------------------------


def test_the_newest_consultas_weight_becomes_the_pacientes():
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))

    services.consulta_create(actor=VeterinarioFactory(), paciente=paciente, motivo="X", peso_kg=Decimal("4.80"))

    assert peso_guardado(paciente) == Decimal("4.80")


def test_an_older_consulta_recorded_later_does_not_overwrite_the_newer_weight():
    paciente = PacienteFactory()
    vet = VeterinarioFactory()
    services.consulta_create(actor=vet, paciente=paciente, motivo="X", fecha=hace_dias(1), peso_kg=Decimal("6.00"))

    services.consulta_create(actor=vet, paciente=paciente, motivo="Y", fecha=hace_dias(30), peso_kg=Decimal("5.00"))

    assert peso_guardado(paciente) == Decimal("6.00")


def test_a_consulta_without_weight_leaves_the_weight_alone():
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))

    services.consulta_create(actor=VeterinarioFactory(), paciente=paciente, motivo="X")

    assert peso_guardado(paciente) == Decimal("4.00")


# --- consulta_update -------------------------------------------------------------------------------


def test_the_author_edits_their_consulta_and_the_change_is_recorded():
    vet = VeterinarioFactory()
    consulta = ConsultaFactory(veterinario=vet, diagnostico="Sano")

    services.consulta_update(actor=vet, consulta=consulta, data={"diagnostico": "Otitis"})

    assert Consulta.objects.get(pk=consulta.pk).diagnostico == "Otitis"
    latest = Consulta.history.filter(id=consulta.pk).latest()
    assert (latest.history_type, latest.history_user) == ("~", vet)


@pytest.mark.parametrize("who", ["another vet", "recepcionista", "the owner"])
def test_only_the_author_or_an_admin_changes_a_consulta(who):
    consulta = ConsultaFactory(diagnostico="Sano", paciente__propietario=ClienteConUsuarioFactory())
    actor = {
        "another vet": VeterinarioFactory,
        "recepcionista": RecepcionistaFactory,
        "the owner": lambda: consulta.paciente.propietario.usuario,
    }[who]()

    with pytest.raises(PermissionDenied):
        services.consulta_update(actor=actor, consulta=consulta, data={"diagnostico": "Otitis"})

    assert Consulta.objects.get(pk=consulta.pk).diagnostico == "Sano"


def test_an_admin_edits_any_consulta_and_reassigns_the_vet():
    consulta = ConsultaFactory()
    nuevo = VeterinarioFactory()

    services.consulta_update(actor=AdminFactory(), consulta=consulta, data={"veterinario": nuevo, "motivo": "Z"})

    stored = Consulta.objects.get(pk=consulta.pk)
    assert (stored.veterinario, stored.motivo) == (nuevo, "Z")


def test_an_admin_reassigns_only_to_an_active_vet():
    consulta = ConsultaFactory()
    vet = consulta.veterinario

    with pytest.raises(ValidationError) as raised:
        services.consulta_update(actor=AdminFactory(), consulta=consulta, data={"veterinario": RecepcionistaFactory()})

    assert set(raised.value.message_dict) == {"veterinario"}
    assert Consulta.objects.get(pk=consulta.pk).veterinario == vet


def test_a_vet_cannot_hand_their_consulta_to_another_vet():
    vet = VeterinarioFactory()
    consulta = ConsultaFactory(veterinario=vet)

    services.consulta_update(actor=vet, consulta=consulta, data={"veterinario": VeterinarioFactory()})

    assert Consulta.objects.get(pk=consulta.pk).veterinario == vet


def test_an_invalid_update_changes_nothing():
    vet = VeterinarioFactory()
    consulta = ConsultaFactory(veterinario=vet, diagnostico="Sano", temperatura_c=Decimal("38.5"))

    with pytest.raises(ValidationError) as raised:
        services.consulta_update(
            actor=vet, consulta=consulta, data={"diagnostico": "Otitis", "temperatura_c": Decimal("20.0")}
        )

    assert "temperatura_c" in raised.value.message_dict
    stored = Consulta.objects.get(pk=consulta.pk)
    assert (stored.diagnostico, stored.temperatura_c) == ("Sano", Decimal("38.5"))


def test_changing_the_weight_of_the_newest_consulta_changes_the_pacientes():
    vet = VeterinarioFactory()
    paciente = PacienteFactory()
    consulta = services.consulta_create(actor=vet, paciente=paciente, motivo="X", peso_kg=Decimal("6.00"))

    services.consulta_update(actor=vet, consulta=consulta, data={"peso_kg": Decimal("6.40")})

    assert peso_guardado(paciente) == Decimal("6.40")


def test_moving_a_consulta_back_in_time_hands_the_weight_to_the_newer_one():
    vet = VeterinarioFactory()
    paciente = PacienteFactory()
    services.consulta_create(actor=vet, paciente=paciente, motivo="X", fecha=hace_dias(5), peso_kg=Decimal("5.00"))
    reciente = services.consulta_create(
        actor=vet, paciente=paciente, motivo="Y", fecha=hace_dias(1), peso_kg=Decimal("6.00")
    )
    assert peso_guardado(paciente) == Decimal("6.00")

    services.consulta_update(actor=vet, consulta=reciente, data={"fecha": hace_dias(10)})

    assert peso_guardado(paciente) == Decimal("5.00")


def test_consulta_update_starts_from_the_stored_row_not_the_callers_copy():
    vet = VeterinarioFactory()
    consulta = ConsultaFactory(veterinario=vet, motivo="Revisión", diagnostico="Sano")
    # the caller's copy went stale: someone changed the motivo since it was read
    Consulta.objects.filter(pk=consulta.pk).update(motivo="Vacunación")

    services.consulta_update(actor=vet, consulta=consulta, data={"motivo": "Revisión", "diagnostico": "Otitis"})

    # "Revisión" differs from what is stored, so it is written, and the diagnostico too
    stored = Consulta.objects.get(pk=consulta.pk)
    assert (stored.motivo, stored.diagnostico) == ("Revisión", "Otitis")


# --- consulta_delete -------------------------------------------------------------------------------


def test_deleting_the_newest_weighed_consulta_hands_the_weight_to_the_previous_one():
    vet = VeterinarioFactory()
    paciente = PacienteFactory()
    services.consulta_create(actor=vet, paciente=paciente, motivo="X", fecha=hace_dias(5), peso_kg=Decimal("5.00"))
    reciente = services.consulta_create(
        actor=vet, paciente=paciente, motivo="Y", fecha=hace_dias(1), peso_kg=Decimal("6.00")
    )

    pk = reciente.pk

    services.consulta_delete(actor=AdminFactory(), consulta=reciente)

    assert not Consulta.objects.filter(pk=pk).exists()
    assert peso_guardado(paciente) == Decimal("5.00")


def test_deleting_the_only_weighed_consulta_keeps_the_last_known_weight():
    vet = VeterinarioFactory()
    paciente = PacienteFactory(peso_kg=Decimal("4.00"))
    consulta = services.consulta_create(actor=vet, paciente=paciente, motivo="X", peso_kg=Decimal("4.60"))

    services.consulta_delete(actor=AdminFactory(), consulta=consulta)

    assert peso_guardado(paciente) == Decimal("4.60")


def test_consulta_delete_records_who():
    admin = AdminFactory()
    consulta = ConsultaFactory()

    pk = consulta.pk

    services.consulta_delete(actor=admin, consulta=consulta)

    assert not Consulta.objects.filter(pk=pk).exists()
    latest = Consulta.history.filter(id=pk).latest()
    assert (latest.history_type, latest.history_user) == ("-", admin)


# --- vacunas ---------------------------------------------------------------------------------------


def test_vacuna_create_records_the_actor_as_who_applied_it():
    vet = VeterinarioFactory()
    paciente = PacienteFactory()

    vacuna = services.vacuna_create(
        actor=vet,
        paciente=paciente,
        nombre="Rabia",
        fecha_aplicacion=hoy(),
        proxima_dosis=hoy() + datetime.timedelta(days=365),
        veterinario=VeterinarioFactory(),
    )

    stored = Vacuna.objects.get(pk=vacuna.pk)
    assert (stored.veterinario, stored.paciente, stored.nombre) == (vet, paciente, "Rabia")
    [entry] = Vacuna.history.filter(id=vacuna.pk)
    assert entry.history_user == vet


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"proxima_dosis": datetime.date(2020, 1, 1)}, "proxima_dosis"),
        ({"fecha_aplicacion": datetime.date.today() + datetime.timedelta(days=3)}, "fecha_aplicacion"),
        ({"nombre": ""}, "nombre"),
    ],
)
def test_vacuna_create_validates_the_model_before_saving(extra, field):
    with pytest.raises(ValidationError) as raised:
        services.vacuna_create(
            actor=VeterinarioFactory(),
            paciente=PacienteFactory(),
            **{"nombre": "Rabia", "fecha_aplicacion": datetime.date(2024, 3, 1), **extra},
        )

    assert field in raised.value.message_dict
    assert not Vacuna.objects.exists()


def test_vacuna_update_changes_the_editable_fields_only():
    vacuna = VacunaFactory(lote="L1")
    otro = PacienteFactory()

    services.vacuna_update(actor=VeterinarioFactory(), vacuna=vacuna, data={"lote": "L2", "paciente": otro})

    stored = Vacuna.objects.get(pk=vacuna.pk)
    assert (stored.lote, stored.paciente) == ("L2", vacuna.paciente)


def test_vacuna_update_refuses_a_next_dose_before_the_application():
    vacuna = VacunaFactory()
    proxima = vacuna.proxima_dosis

    with pytest.raises(ValidationError) as raised:
        services.vacuna_update(
            actor=VeterinarioFactory(),
            vacuna=vacuna,
            data={"proxima_dosis": vacuna.fecha_aplicacion - datetime.timedelta(days=1)},
        )

    assert "proxima_dosis" in raised.value.message_dict
    assert Vacuna.objects.get(pk=vacuna.pk).proxima_dosis == proxima


def test_vacuna_delete_removes_it_and_records_who():
    admin = AdminFactory()
    vacuna = VacunaFactory()

    pk = vacuna.pk

    services.vacuna_delete(actor=admin, vacuna=vacuna)

    assert not Vacuna.objects.filter(pk=pk).exists()
    latest = Vacuna.history.filter(id=pk).latest()
    assert (latest.history_type, latest.history_user) == ("-", admin)
