"""Scoped, query-shaped reads of the clinical record."""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from .models import Consulta, Vacuna


def consulta_list(*, user):
    queryset = Consulta.objects.select_related("paciente", "veterinario")
    return queryset.visible_to(user)


def later_dose_exists():
    """True when the same paciente later received a vaccine of the same name (case-insensitive):
    that newer application supersedes this one's `proxima_dosis`."""
    # LOWER() on both sides, as the (paciente, LOWER(nombre), fecha_aplicacion) index reads;
    # on SQLite LOWER is made Unicode-aware (core.apps) so that "Í" matches "í" there too.
    return Exists(
        Vacuna.objects.annotate(nombre_lower=Lower("nombre")).filter(
            paciente=OuterRef("paciente"),
            nombre_lower=Lower(OuterRef("nombre")),
            fecha_aplicacion__gt=OuterRef("fecha_aplicacion"),
        )
    )


def vacuna_list(*, user):
    queryset = Vacuna.objects.select_related("paciente", "veterinario").annotate(superada=later_dose_exists())
    return queryset.visible_to(user)


def vacunas_vencidas(queryset, *, today=None):
    """Doses whose `proxima_dosis` has passed and that no later application replaced."""
    today = today or timezone.localdate()
    return queryset.filter(proxima_dosis__lt=today, superada=False)


def paciente_historial(*, paciente):
    """The patient's consultas, vacunas and citas, newest first: one query each."""
    return {
        "paciente": paciente,
        "consultas": list(paciente.consultas.select_related("veterinario").order_by("-fecha", "-id")),
        "vacunas": list(paciente.vacunas.select_related("veterinario").order_by("-fecha_aplicacion", "-id")),
        "citas": list(paciente.citas.select_related("veterinario").order_by("-inicio", "-id")),
    }


def paciente_pesos(*, paciente):
    """Weight history from the consultas that recorded one, oldest first."""
    return paciente.consultas.filter(peso_kg__isnull=False).order_by("fecha", "id").values("fecha", "peso_kg", "id")


def consultas_con_peso(paciente):
    """The consultas of `paciente` (a Paciente or an OuterRef to one) that recorded a weight,
    newest first: the measurements of pacientes.services' weight rule."""
    return Consulta.objects.filter(paciente=paciente, peso_kg__isnull=False).order_by("-fecha", "-id")
