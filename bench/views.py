"""Reference views the benchmark compares the API with, mounted only by the benchmark's URLconf
(bench/urls.py, through vetclinic.settings.bench).

- **floor**: plain Django views that authenticate the bearer token the same way and build
  the same querysets (the API's selectors, search and count), then return the same rows
  through `.values()` and `JsonResponse`: no DRF request/response cycle, throttling,
  serializers or filter backends. What Django and the database alone cost for the answer.
- **peer**: the same endpoints written the textbook DRF way: generic views over
  `Model.objects.all()` and `ModelSerializer`s reading related objects through their
  `source`s, without `select_related`/`prefetch_related`, DRF's SearchFilter and exact
  counts. Same filters (the same indexed ranges), authentication and throttling as the API.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import generics, serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.selectors import veterinarios
from api.pagination import CheapCountPaginator
from citas.agenda import free_slots
from citas.models import DURACION_POR_DEFECTO, ESTADOS_ACTIVOS, Cita
from citas.selectors import cita_list
from citas.services import clinic_hours
from core.dates import local_day_range
from historial.models import Consulta, Vacuna
from pacientes.models import Paciente
from pacientes.selectors import paciente_list, paciente_search
from pacientes.serializers import PacienteSerializer
from pacientes.views import PACIENTE_SEARCH_FIELDS
from sedes.selectors import en_fechas_locales

PACIENTE_FIELDS = [f for f in PacienteSerializer.Meta.fields if f != "propietario_nombre"]
CITA_FIELDS = ["id", "sede", "paciente", "veterinario", "inicio", "fin", "motivo", "estado", "notas"]
CITA_FIELDS += ["motivo_cancelacion", "creado_por", "creado_en", "actualizado_en"]


# --- floor ------------------------------------------------------------------------------------


def _user(request):
    try:
        found = JWTAuthentication().authenticate(request)
    except AuthenticationFailed:
        found = None
    return found[0] if found else None


def _unauthorized():
    return JsonResponse({"detail": "No autenticado."}, status=401)


def _page(request, queryset, values, **annotations):
    """Count the filtered queryset as the API does, then read one page of `.values()`;
    the annotations only on the page (on the count they would add joins)."""
    size = min(int(request.GET.get("page_size", 20)), 100)
    page = int(request.GET.get("page", 1))
    count = CheapCountPaginator(queryset, size).count
    rows = list(queryset.annotate(**annotations).values(*values, *annotations)[(page - 1) * size : page * size])
    return count, rows


def pacientes_floor(request):
    user = _user(request)
    if user is None:
        return _unauthorized()
    queryset = paciente_list(user=user)
    for name in ("especie", "sexo", "propietario"):
        if name in request.GET:
            queryset = queryset.filter(**{name: request.GET[name]})
    for name in ("fallecido", "activo"):
        if name in request.GET:
            queryset = queryset.filter(**{name: request.GET[name] == "true"})
    if request.GET.get("search", "").split():
        queryset = paciente_search(queryset, request.GET["search"].split())
    count, rows = _page(
        request,
        queryset.order_by("nombre", "id"),
        PACIENTE_FIELDS,
        propietario_nombre=Concat(F("propietario__nombre"), Value(" "), F("propietario__apellidos")),
    )
    return JsonResponse({"count": count, "next": None, "previous": None, "results": rows})


def _veterinario_nombre():
    return Concat(F("veterinario__nombre"), Value(" "), F("veterinario__apellidos"))


def citas_floor(request):
    user = _user(request)
    if user is None:
        return _unauthorized()
    # The day as the contract reads it: each cita's local date in its sede's zone.
    fecha = datetime.date.fromisoformat(request.GET["fecha"])
    en_el_dia = en_fechas_locales("inicio", desde=fecha, hasta=fecha)
    queryset = cita_list(user=user).filter(en_el_dia).order_by("inicio", "id")
    count, rows = _page(
        request,
        queryset,
        CITA_FIELDS,
        paciente_nombre=F("paciente__nombre"),
        paciente_especie=F("paciente__especie"),
        cliente=F("paciente__propietario"),
        cliente_nombre=Concat(
            "paciente__propietario__nombre", Value(" "), "paciente__propietario__apellidos", output_field=CharField()
        ),
        cliente_telefono=F("paciente__propietario__telefono"),
        veterinario_nombre=_veterinario_nombre(),
        sede_nombre=F("sede__nombre"),
    )
    for row in rows:
        row["duracion_minutos"] = int((row["fin"] - row["inicio"]).total_seconds() // 60)
    return JsonResponse({"count": count, "next": None, "previous": None, "results": rows})


def historial_floor(request, pk):
    user = _user(request)
    if user is None:
        return _unauthorized()
    paciente = (
        paciente_list(user=user)
        .filter(pk=pk)
        .annotate(propietario_nombre=Concat(F("propietario__nombre"), Value(" "), F("propietario__apellidos")))
    )
    paciente = paciente.values(*PACIENTE_FIELDS, "propietario_nombre").first()
    if paciente is None:
        raise Http404
    consultas = Consulta.objects.filter(paciente=pk).order_by("-fecha", "-id")
    consultas = consultas.annotate(paciente_nombre=F("paciente__nombre"), veterinario_nombre=_veterinario_nombre())
    vacunas = Vacuna.objects.filter(paciente=pk).order_by("-fecha_aplicacion", "-id")
    vacunas = vacunas.annotate(paciente_nombre=F("paciente__nombre"))
    citas = (
        Cita.objects.filter(paciente=pk).order_by("-inicio", "-id").annotate(veterinario_nombre=_veterinario_nombre())
    )
    return JsonResponse(
        {
            "paciente": paciente,
            "consultas": list(consultas.values()),
            "vacunas": list(vacunas.values()),
            "citas": list(citas.values("id", "inicio", "fin", "estado", "motivo", "veterinario", "veterinario_nombre")),
        }
    )


def disponibilidad_floor(request):
    user = _user(request)
    if user is None:
        return _unauthorized()
    veterinario = get_object_or_404(veterinarios(), pk=request.GET["veterinario"])
    fecha = datetime.date.fromisoformat(request.GET["fecha"])
    duracion = int(request.GET.get("duracion", DURACION_POR_DEFECTO))
    horarios = list(veterinario.horarios.values_list("dia_semana", "hora_inicio", "hora_fin"))
    if horarios:
        periods = [(start, end) for day, start, end in horarios if day == fecha.weekday()]
    else:
        periods = clinic_hours().get(fecha.weekday(), [])
    day_start, day_end = local_day_range(fecha)
    busy = list(
        Cita.objects.filter(
            veterinario=veterinario, estado__in=ESTADOS_ACTIVOS, inicio__lt=day_end, fin__gt=day_start
        ).values_list("inicio", "fin")
    )
    busy += list(veterinario.bloqueos.filter(inicio__lt=day_end, fin__gt=day_start).values_list("inicio", "fin"))
    huecos = free_slots(
        fecha=fecha,
        periods=sorted(periods),
        busy=busy,
        duracion=datetime.timedelta(minutes=duracion),
        step=datetime.timedelta(minutes=settings.SLOT_MINUTES),
        now=timezone.now(),
        tz=timezone.get_current_timezone(),
    )
    return JsonResponse(
        {
            "veterinario": veterinario.pk,
            "fecha": fecha,
            "duracion": duracion,
            "huecos": [{"inicio": h.inicio, "fin": h.fin} for h in huecos],
        }
    )


# --- peer -------------------------------------------------------------------------------------


class PeerPagination(PageNumberPagination):
    """DRF's page-number pagination as documented: an exact COUNT(*) on every page."""

    page_size_query_param = "page_size"
    max_page_size = 100


class PeerPacienteSerializer(serializers.ModelSerializer):
    propietario_nombre = serializers.CharField(source="propietario.nombre_completo", read_only=True)

    class Meta:
        model = Paciente
        fields = PacienteSerializer.Meta.fields


class PeerPacienteList(generics.ListAPIView):
    queryset = Paciente.objects.all()
    serializer_class = PeerPacienteSerializer
    pagination_class = PeerPagination
    filterset_fields = ["especie", "sexo", "propietario", "fallecido", "activo"]
    search_fields = PACIENTE_SEARCH_FIELDS
    ordering = ["nombre", "id"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class PeerCitaSerializer(serializers.ModelSerializer):
    paciente_nombre = serializers.CharField(source="paciente.nombre", read_only=True)
    paciente_especie = serializers.CharField(source="paciente.especie", read_only=True)
    cliente = serializers.IntegerField(source="paciente.propietario.id", read_only=True)
    cliente_nombre = serializers.CharField(source="paciente.propietario.nombre_completo", read_only=True)
    cliente_telefono = serializers.CharField(source="paciente.propietario.telefono", read_only=True)
    veterinario_nombre = serializers.CharField(source="veterinario.nombre_completo", read_only=True)
    duracion_minutos = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cita
        fields = [
            *CITA_FIELDS,
            "paciente_nombre",
            "paciente_especie",
            "cliente",
            "cliente_nombre",
            "cliente_telefono",
            "veterinario_nombre",
            "duracion_minutos",
        ]


class PeerCitaList(generics.ListAPIView):
    queryset = Cita.objects.all()
    serializer_class = PeerCitaSerializer
    pagination_class = PeerPagination
    filter_backends = [OrderingFilter]
    ordering = ["inicio", "id"]

    def get_queryset(self):
        fecha = datetime.date.fromisoformat(self.request.query_params["fecha"])
        queryset = super().get_queryset().filter(en_fechas_locales("inicio", desde=fecha, hasta=fecha))
        return queryset.visible_to(self.request.user)


class PeerConsultaSerializer(serializers.ModelSerializer):
    paciente_nombre = serializers.CharField(source="paciente.nombre", read_only=True)
    veterinario_nombre = serializers.CharField(source="veterinario.nombre_completo", read_only=True)

    class Meta:
        model = Consulta
        fields = "__all__"


class PeerVacunaSerializer(serializers.ModelSerializer):
    paciente_nombre = serializers.CharField(source="paciente.nombre", read_only=True)

    class Meta:
        model = Vacuna
        fields = "__all__"


class PeerHistorialCitaSerializer(serializers.ModelSerializer):
    veterinario_nombre = serializers.CharField(source="veterinario.nombre_completo", read_only=True)

    class Meta:
        model = Cita
        fields = ["id", "inicio", "fin", "estado", "motivo", "veterinario", "veterinario_nombre"]


class PeerHistorialSerializer(serializers.Serializer):
    paciente = PeerPacienteSerializer(source="*")
    consultas = PeerConsultaSerializer(many=True)
    vacunas = PeerVacunaSerializer(many=True)
    citas = PeerHistorialCitaSerializer(many=True)


class PeerHistorial(generics.RetrieveAPIView):
    queryset = Paciente.objects.all()
    serializer_class = PeerHistorialSerializer

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class PeerDisponibilidad(APIView):
    """The agenda as often first written: every candidate slot asks the database whether it is taken."""

    def get(self, request):
        veterinario = get_object_or_404(veterinarios(), pk=request.query_params["veterinario"])
        fecha = datetime.date.fromisoformat(request.query_params["fecha"])
        duracion = datetime.timedelta(minutes=int(request.query_params.get("duracion", DURACION_POR_DEFECTO)))
        step = datetime.timedelta(minutes=settings.SLOT_MINUTES)
        tz = timezone.get_current_timezone()
        periods = [(h.hora_inicio, h.hora_fin) for h in veterinario.horarios.all() if h.dia_semana == fecha.weekday()]
        if not veterinario.horarios.exists():
            periods = clinic_hours().get(fecha.weekday(), [])
        huecos = []
        for start_time, end_time in sorted(periods):
            slot = datetime.datetime.combine(fecha, start_time, tzinfo=tz)
            end = datetime.datetime.combine(fecha, end_time, tzinfo=tz)
            while slot + duracion <= end:
                taken = (
                    Cita.objects.filter(
                        veterinario=veterinario, estado__in=ESTADOS_ACTIVOS, inicio__lt=slot + duracion, fin__gt=slot
                    ).exists()
                    or veterinario.bloqueos.filter(inicio__lt=slot + duracion, fin__gt=slot).exists()
                )
                if slot >= timezone.now() and not taken:
                    huecos.append({"inicio": slot, "fin": slot + duracion})
                slot += step
        fields = {"inicio": serializers.DateTimeField(), "fin": serializers.DateTimeField()}
        for hueco in huecos:
            hueco.update({name: field.to_representation(hueco[name]) for name, field in fields.items()})
        return Response(
            {
                "veterinario": veterinario.pk,
                "fecha": fecha.isoformat(),
                "duracion": duracion.seconds // 60,
                "huecos": huecos,
            }
        )
