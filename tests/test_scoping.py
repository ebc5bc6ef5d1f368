"""The one scoping API (accounts.scoping): each model's `ownership` answers, for every caller,
what they may see and what they may change."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.scoping import CHANGE, VIEW, may, may_author
from accounts.tests.factories import AdminFactory, RecepcionistaFactory, VeterinarioFactory
from citas.models import Bloqueo, Cita
from citas.tests.factories import BloqueoFactory, CitaFactory
from clientes.models import Cliente
from clientes.tests.factories import ClienteConUsuarioFactory
from historial.models import Consulta, Vacuna
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two owners with one animal each; a consulta, vacuna and cita of each; a bloqueo per vet."""
    ana, beto = ClienteConUsuarioFactory(), ClienteConUsuarioFactory()
    vet, otro_vet = VeterinarioFactory(), VeterinarioFactory()
    rows = {}
    for owner, author in ((ana, vet), (beto, otro_vet)):
        paciente = PacienteFactory(propietario=owner)
        rows[owner.pk] = {
            "paciente": paciente,
            "consulta": ConsultaFactory(paciente=paciente, veterinario=author),
            "vacuna": VacunaFactory(paciente=paciente),
            "cita": CitaFactory(paciente=paciente, veterinario=author),
            "bloqueo": BloqueoFactory(veterinario=author),
        }
    return {"ana": ana, "beto": beto, "vet": vet, "otro_vet": otro_vet, "rows": rows}


def pks(model, user, action=VIEW):
    return set(model.objects.visible_to(user, action).values_list("pk", flat=True))


def test_an_owner_sees_only_its_own_rows(world):
    ana, mine = world["ana"], world["rows"][world["ana"].pk]

    assert pks(Cliente, ana.usuario) == {ana.pk}
    assert pks(Paciente, ana.usuario) == {mine["paciente"].pk}
    assert pks(Consulta, ana.usuario) == {mine["consulta"].pk}
    assert pks(Vacuna, ana.usuario) == {mine["vacuna"].pk}
    assert pks(Cita, ana.usuario) == {mine["cita"].pk}
    assert pks(Bloqueo, ana.usuario) == set()


def test_an_owner_changes_its_record_and_its_citas_but_not_its_clinical_record(world):
    ana, mine = world["ana"], world["rows"][world["ana"].pk]

    assert pks(Cliente, ana.usuario, CHANGE) == {ana.pk}
    assert pks(Cita, ana.usuario, CHANGE) == {mine["cita"].pk}
    assert pks(Paciente, ana.usuario, CHANGE) == set()
    assert pks(Consulta, ana.usuario, CHANGE) == set()
    assert pks(Vacuna, ana.usuario, CHANGE) == set()


def test_a_vet_sees_every_consulta_but_changes_only_its_own(world):
    vet = world["vet"]
    own = world["rows"][world["ana"].pk]["consulta"]

    assert pks(Consulta, vet) == set(Consulta.objects.values_list("pk", flat=True))
    assert pks(Consulta, vet, CHANGE) == {own.pk}
    assert pks(Bloqueo, vet, CHANGE) == {world["rows"][world["ana"].pk]["bloqueo"].pk}


def test_reception_changes_bloqueos_but_no_consulta_and_an_admin_changes_everything(world):
    recepcion, admin = RecepcionistaFactory(), AdminFactory()

    assert pks(Bloqueo, recepcion, CHANGE) == set(Bloqueo.objects.values_list("pk", flat=True))
    assert pks(Consulta, recepcion, CHANGE) == set()
    assert pks(Consulta, admin, CHANGE) == set(Consulta.objects.values_list("pk", flat=True))


def test_anonymous_callers_see_nothing(world):
    assert pks(Paciente, AnonymousUser()) == set()
    assert pks(Cita, None) == set()


def test_may_answers_for_one_row_and_may_author_for_a_row_not_stored_yet(world):
    vet, otro_vet = world["vet"], world["otro_vet"]
    ajena = world["rows"][world["beto"].pk]["consulta"]

    assert may(otro_vet, ajena, CHANGE) and not may(vet, ajena, CHANGE)
    assert may(vet, ajena, VIEW)
    assert may_author(vet, Bloqueo, vet) and not may_author(vet, Bloqueo, otro_vet)
    assert may_author(RecepcionistaFactory(), Bloqueo, otro_vet)
