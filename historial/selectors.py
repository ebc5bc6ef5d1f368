"""Scoped, query-shaped reads of the clinical record."""

from django.db.models import BooleanField, Case, Exists, OuterRef, Value, When
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


def with_vencida(queryset, *, today=None):
    """`queryset` of vacunas annotated with `superada` (see `later_dose_exists`) and `vencida`:
    its `proxima_dosis` is before `today` (default: the local date) and it is not superada.
    One subquery per row, in the same query: lists stay at a constant number of queries."""
    today = today or timezone.localdate()
    return queryset.annotate(superada=later_dose_exists()).annotate(
        vencida=Case(
            When(proxima_dosis__lt=today, superada=False, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def vacuna_list(*, user):
    queryset = with_vencida(Vacuna.objects.select_related("paciente", "veterinario"))
    return queryset.visible_to(user)


def vacuna_list_all():
    """Every vacuna, annotated as the API shows them (the representation of their events)."""
    return with_vencida(Vacuna.objects.select_related("paciente", "veterinario"))


def vacunas_vencidas(queryset, *, today=None):
    """Doses whose `proxima_dosis` has passed and that no later application replaced (the
    `vencida` rule of `with_vencida`, as conditions the proxima_dosis index can answer);
    `queryset` is annotated with `superada`."""
    today = today or timezone.localdate()
    return queryset.filter(proxima_dosis__lt=today, superada=False)


def paciente_historial(*, paciente):
    """The patient's consultas, vacunas and citas, newest first: one query each."""
    return {
        "paciente": paciente,
        "consultas": list(paciente.consultas.select_related("veterinario").order_by("-fecha", "-id")),
        "vacunas": list(
            with_vencida(paciente.vacunas.select_related("veterinario")).order_by("-fecha_aplicacion", "-id")
        ),
        "citas": list(paciente.citas.select_related("veterinario").order_by("-inicio", "-id")),
    }


def paciente_pesos(*, paciente):
    """Weight history from the consultas that recorded one, oldest first."""
    return paciente.consultas.filter(peso_kg__isnull=False).order_by("fecha", "id").values("fecha", "peso_kg", "id")


def consultas_con_peso(paciente):
    """The consultas of `paciente` (a Paciente or an OuterRef to one) that recorded a weight,
    newest first: the measurements of pacientes.services' weight rule."""
    return Consulta.objects.filter(paciente=paciente, peso_kg__isnull=False).order_by("-fecha", "-id")
