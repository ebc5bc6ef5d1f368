"""Scoped, query-shaped reads of pacientes and their clinical record."""

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.permissions import scope_to_owner

from .models import Consulta, Paciente, Vacuna

PACIENTE_OWNER = "propietario__usuario"
RECORD_OWNER = "paciente__propietario__usuario"


def paciente_list(*, user):
    """Pacientes the user may see, with their owner joined: only the owner's name, the one
    thing a paciente shows of it (a page of 100 then builds no full Cliente rows)."""
    queryset = Paciente.objects.select_related("propietario").only(
        *(field.name for field in Paciente._meta.concrete_fields), "propietario__nombre", "propietario__apellidos"
    )
    return scope_to_owner(queryset, user, owner_path=PACIENTE_OWNER)


def paciente_search(queryset, terms):
    """Pacientes matching every term in their nombre or microchip or their owner's nombre,
    apellidos or documento (case-insensitive substrings), like DRF's SearchFilter.

    Each term becomes `id IN (own matches UNION matches through the owner)`: each branch is
    answered by its table's trigram indexes, where the plain OR across the join to clientes
    forces a scan of both tables on every request."""
    owner_model = Paciente._meta.get_field("propietario").related_model
    for term in terms:
        own = Paciente.objects.filter(Q(nombre__icontains=term) | Q(microchip__icontains=term))
        owners = owner_model.objects.filter(
            Q(nombre__icontains=term) | Q(apellidos__icontains=term) | Q(documento__icontains=term)
        )
        through_owner = Paciente.objects.filter(propietario__in=owners.order_by().values("pk"))
        matches = own.order_by().values("pk").union(through_owner.order_by().values("pk"), all=True)
        queryset = queryset.filter(pk__in=matches)
    return queryset


def consulta_list(*, user):
    queryset = Consulta.objects.select_related("paciente", "veterinario")
    return scope_to_owner(queryset, user, owner_path=RECORD_OWNER)


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
    return scope_to_owner(queryset, user, owner_path=RECORD_OWNER)


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
