"""api.serializers.ModelSerializer answers exactly what DRF's own to_representation would."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework import serializers

from accounts.tests.factories import RecepcionistaFactory, VeterinarioFactory
from api import serializers as api_serializers
from api.serializers import ModelSerializer
from citas.models import EstadoCita
from citas.serializers import CitaSerializer
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory, manana_a_las
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
    return {"paciente": full.pk, "cliente": owner.pk, "cita": full.citas.get().pk}


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


@pytest.mark.parametrize("time_zone", ["Europe/Madrid", "UTC", "America/St_Johns"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_api_answers_byte_for_byte_what_drf_would(varied, client_for, admin_user, monkeypatch, endpoint, time_zone):
    api = client_for(admin_user)
    url = endpoint.format(**varied) + ("?page_size=100" if endpoint.endswith("s/") else "")
    with override_settings(TIME_ZONE=time_zone):
        compiled = api.get(url)
        monkeypatch.setattr(
            api_serializers.ModelSerializer, "to_representation", serializers.ModelSerializer.to_representation
        )
        drf = api.get(url)
    assert compiled.status_code == drf.status_code == 200, compiled.content
    assert compiled.content == drf.content
    assert len(compiled.content) > 100


def _plan_falls_back(serializer):
    return [key for key, getter, _, _ in serializer.read_plan() if getter is None]


@pytest.mark.parametrize(
    ("serializer_class", "generic"),
    [(PacienteSerializer, []), (CitaSerializer, []), (ConsultaSerializer, []), (VacunaSerializer, [])],
)
def test_the_list_serializers_read_every_field_the_fast_way(serializer_class, generic):
    assert _plan_falls_back(serializer_class()) == generic


class _Probe(ModelSerializer):
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
