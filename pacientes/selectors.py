"""Scoped, query-shaped reads of pacientes."""

from django.db.models import Q

from .models import Paciente


def paciente_list(*, user):
    """Pacientes the user may see, with their owner joined: only the owner's name, the one
    thing a paciente shows of it (a page of 100 then builds no full Cliente rows)."""
    queryset = Paciente.objects.select_related("propietario").only(
        *(field.name for field in Paciente._meta.concrete_fields), "propietario__nombre", "propietario__apellidos"
    )
    return queryset.visible_to(user)


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
