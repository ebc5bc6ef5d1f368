"""api.serializers.CompiledModelSerializer answers exactly what DRF's own to_representation
would: for every serializer that uses it, every role that reads it, and the answers of writes."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework import serializers

from accounts.tests.factories import AdminFactory, RecepcionistaFactory, VeterinarioFactory
from api.serializers import CompiledModelSerializer
from citas.models import EstadoCita
from citas.serializers import CitaSerializer
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory, manana_a_las
from clientes.models import Cliente
from clientes.tests.factories import ClienteConUsuarioFactory, ClienteFactory
from historial.models import Consulta
from historial.serializers import ConsultaSerializer, VacunaSerializer
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.models import Paciente
from pacientes.serializers import PacienteSerializer
from pacientes.tests.factories import PacienteFactory


@pytest.fixture
def varied(db):
    """Rows with every optional field both empty and filled, datetimes on both sides of a DST change."""
    vet = VeterinarioFactory(nombre="Ánxela", apellidos="Núñez")
    RecepcionistaFactory()
    AdminFactory()
    owner = ClienteConUsuarioFactory()
    ClienteFactory(email="", telefono="")
    bare = PacienteFactory(
        propietario=owner, fecha_nacimiento=None, microchip="", raza="", peso_kg=None, color="", notas=""
    )
    full = PacienteFactory(
        propietario=owner, peso_kg=Decimal("4.50"), alergias="Penicilina", fallecido=True,
        fecha_fallecimiento=datetime.date(2026, 3, 29),
    )  # fmt: skip
    winter = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)
    summer = datetime.datetime(2026, 7, 15, 23, 45, 12, 345678, tzinfo=datetime.UTC)
    ConsultaFactory(paciente=bare, veterinario=vet, fecha=winter, peso_kg=None, temperatura_c=None)
    ConsultaFactory(
        paciente=full, veterinario=vet, fecha=summer, peso_kg=Decimal("4.50"), temperatura_c=Decimal("38.6")
    )
    VacunaFactory(paciente=bare, veterinario=vet, proxima_dosis=None)
    VacunaFactory(paciente=full, veterinario=vet)
    CitaFactory(paciente=bare, veterinario=vet, notas="")
    CitaFactory(paciente=full, veterinario=vet, estado=EstadoCita.CANCELADA, motivo_cancelacion="Viaje")
    HorarioFactory(veterinario=vet)
    BloqueoFactory(veterinario=vet, inicio=manana_a_las(20), fin=manana_a_las(21))
    activa = CitaFactory(paciente=bare, veterinario=vet, inicio=manana_a_las(12), fin=manana_a_las(12, 30))
    return {
        "paciente": full.pk,
        "paciente_vivo": bare.pk,
        "cliente": owner.pk,
        "cita": full.citas.get().pk,
        "cita_activa": activa.pk,
    }


ENDPOINTS = [
    "/api/v1/pacientes/",
    "/api/v1/pacientes/{paciente}/",
    "/api/v1/pacientes/{paciente}/historial/",
    "/api/v1/clientes/",
    "/api/v1/clientes/{cliente}/pacientes/",
    "/api/v1/citas/",
    "/api/v1/citas/{cita}/",
    "/api/v1/consultas/",
    "/api/v1/vacunas/",
    "/api/v1/horarios/",
    "/api/v1/bloqueos/",
    "/api/v1/usuarios/",
    "/api/v1/veterinarios/",
    "/api/v1/auth/me/",
]


def drf_to_representation(monkeypatch):
    """From here on, compiled serializers answer through DRF's own field code."""
    monkeypatch.setattr(
        CompiledModelSerializer, "to_representation", serializers.ModelSerializer.to_representation
    )


@pytest.mark.parametrize("time_zone", ["Europe/Madrid", "UTC", "America/St_Johns"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_api_answers_byte_for_byte_what_drf_would(varied, client_for, admin_user, monkeypatch, endpoint, time_zone):
    api = client_for(admin_user)
    url = endpoint.format(**varied) + ("?page_size=100" if endpoint.endswith("s/") else "")
    with override_settings(TIME_ZONE=time_zone):
        compiled = api.get(url)
        drf_to_representation(monkeypatch)
        drf = api.get(url)
    assert compiled.status_code == drf.status_code == 200, compiled.content
    assert compiled.content == drf.content
    assert len(compiled.content) > 100


# What each role reads through a compiled serializer (the owner: their own animals' rows).
ROLE_ENDPOINTS = [
    "/api/v1/pacientes/",
    "/api/v1/pacientes/{paciente}/",
    "/api/v1/pacientes/{paciente}/historial/",
    "/api/v1/clientes/{cliente}/pacientes/",
    "/api/v1/citas/",
    "/api/v1/citas/{cita}/",
    "/api/v1/consultas/",
    "/api/v1/vacunas/",
]


@pytest.mark.parametrize("role", ["veterinario", "recepcionista", "cliente"])
@pytest.mark.parametrize("endpoint", ROLE_ENDPOINTS)
def test_other_roles_get_byte_for_byte_what_drf_would(varied, client_for, monkeypatch, role, endpoint):
    from accounts.models import User

    user = Cliente.objects.get(pk=varied["cliente"]).usuario if role == "cliente" else User.objects.filter(rol=role)[0]
    api = client_for(user)
    url = endpoint.format(**varied) + ("?page_size=100" if endpoint.endswith("s/") else "")
    compiled = api.get(url)
    drf_to_representation(monkeypatch)
    drf = api.get(url)
    assert compiled.status_code == drf.status_code == 200, compiled.content
    assert compiled.content == drf.content
    assert len(compiled.content) > 100


def _writes(varied, vet):
    """(role, method, path, body, the object's detail path from the answer) for writes whose
    answer a compiled serializer shapes."""
    inicio = manana_a_las(17).isoformat()
    return {
        "cita creada": ("recepcionista", "post", "/api/v1/citas/", {
            "paciente": varied["paciente_vivo"], "veterinario": vet.pk, "inicio": inicio, "motivo": "Control",
        }, "/api/v1/citas/{id}/"),
        "cita cambiada": ("recepcionista", "patch", "/api/v1/citas/{cita_activa}/", {"notas": "Ayuno"},
                          "/api/v1/citas/{id}/"),
        "cita confirmada": ("veterinario", "post", "/api/v1/citas/{cita_activa}/confirmar/", None,
                            "/api/v1/citas/{id}/"),
        "cita cancelada por su dueño": ("cliente", "post", "/api/v1/citas/{cita_activa}/cancelar/",
                                        {"motivo": "Viaje"}, "/api/v1/citas/{id}/"),
        "paciente creado": ("recepcionista", "post", "/api/v1/pacientes/", {
            "nombre": "Nube", "especie": "gato", "propietario": varied["cliente"],
        }, "/api/v1/pacientes/{id}/"),
        "paciente cambiado": ("veterinario", "patch", "/api/v1/pacientes/{paciente_vivo}/", {"alergias": "Polen"},
                              "/api/v1/pacientes/{id}/"),
        "consulta creada": ("veterinario", "post", "/api/v1/consultas/", {
            "paciente": varied["paciente_vivo"], "motivo": "Cojera", "peso_kg": "8.25", "temperatura_c": "38.4",
        }, "/api/v1/consultas/{id}/"),
        "consulta creada por un admin": ("admin", "post", "/api/v1/consultas/", {
            "paciente": varied["paciente_vivo"], "motivo": "Revisión", "veterinario": vet.pk,
        }, "/api/v1/consultas/{id}/"),
        "vacuna creada": ("veterinario", "post", "/api/v1/vacunas/", {
            "paciente": varied["paciente_vivo"], "nombre": "Rabia", "fecha_aplicacion": "2026-01-10",
            "proxima_dosis": "2027-01-10",
        }, "/api/v1/vacunas/{id}/"),
    }


WRITES = [
    "cita creada",
    "cita cambiada",
    "cita confirmada",
    "cita cancelada por su dueño",
    "paciente creado",
    "paciente cambiado",
    "consulta creada",
    "consulta creada por un admin",
    "vacuna creada",
]


@pytest.mark.parametrize("write", WRITES)
def test_a_write_answers_byte_for_byte_what_drf_would(varied, client_for, monkeypatch, write):
    from accounts.models import User

    # given the object a write answers with ...
    vet = User.objects.get(rol="veterinario")
    role, method, path, body, detail = _writes(varied, vet)[write]
    user = Cliente.objects.get(pk=varied["cliente"]).usuario if role == "cliente" else User.objects.filter(rol=role)[0]
    api = client_for(user)
    written = getattr(api, method)(path.format(**varied), body, format="json")
    assert written.status_code in (200, 201), written.content

    # ... then DRF's own rendering of that object is the same, byte for byte
    drf_to_representation(monkeypatch)
    drf = client_for(user).get(detail.format(id=written.json()["id"]))
    assert drf.status_code == 200
    assert written.content == drf.content


def _plan_falls_back(serializer):
    return [key for key, getter, _, _ in serializer.read_plan() if getter is None]


@pytest.mark.parametrize(
    ("serializer_class", "generic"),
    [(PacienteSerializer, []), (CitaSerializer, []), (ConsultaSerializer, []), (VacunaSerializer, [])],
)
def test_the_list_serializers_read_every_field_the_fast_way(serializer_class, generic):
    assert _plan_falls_back(serializer_class()) == generic


class _Probe(CompiledModelSerializer):
    """Sources the plan must leave to DRF, next to ones it reads itself."""

    cita_motivo = serializers.CharField(source="cita.motivo", read_only=True)  # nullable relation
    cita_id_text = serializers.CharField(source="cita_id", read_only=True, allow_null=True)
    paciente_especie = serializers.CharField(source="paciente.get_especie_display", read_only=True)  # a method
    todo = serializers.SerializerMethodField()
    peso_float = serializers.FloatField(source="peso_kg", read_only=True)

    class Meta:
        model = Consulta
        fields = ["id", "cita", "cita_motivo", "cita_id_text", "paciente_especie", "todo", "peso_float", "fecha"]

    def get_todo(self, consulta):
        return consulta.paciente_id


@pytest.mark.django_db
def test_sources_the_plan_cannot_read_go_through_drf():
    plan = {key: getter for key, getter, _, _ in _Probe().read_plan()}
    assert plan["paciente_especie"] is None
    assert plan["todo"] is None
    assert plan["cita_motivo"] is not None  # read fast, DRF's only when the relation is empty

    without_cita = ConsultaFactory(peso_kg=Decimal("12.30"))
    with_cita = ConsultaFactory(cita=CitaFactory(motivo="Vacunación"), peso_kg=None)
    for consulta in (without_cita, with_cita):
        consulta = Consulta.objects.select_related("paciente", "cita").get(pk=consulta.pk)
        fast = _Probe().to_representation(consulta)
        assert fast == serializers.ModelSerializer.to_representation(_Probe(), consulta)
    assert "cita_motivo" not in _Probe().to_representation(without_cita)  # DRF skips it
    assert _Probe().to_representation(with_cita)["cita_motivo"] == "Vacunación"
    assert _Probe().to_representation(without_cita)["paciente_especie"] == without_cita.paciente.get_especie_display()


@pytest.mark.django_db
def test_the_plan_follows_the_time_zone_of_the_request():
    paciente = PacienteFactory()
    noon_utc = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
    Paciente.objects.filter(pk=paciente.pk).update(creado_en=noon_utc)
    paciente.refresh_from_db()
    with timezone.override("UTC"):
        assert PacienteSerializer().to_representation(paciente)["creado_en"] == "2026-06-01T12:00:00Z"
    with timezone.override("Europe/Madrid"):
        assert PacienteSerializer().to_representation(paciente)["creado_en"] == "2026-06-01T14:00:00+02:00"
