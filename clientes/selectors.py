from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.permissions import scope_to_owner

from .models import Cliente


def num_pacientes_subquery():
    """Per-row count of a client's pacientes: evaluated only for the rows of the page,
    unlike a JOIN + GROUP BY over the whole table."""
    # Reached through the reverse relation so that clientes never imports pacientes.
    paciente_model = Cliente._meta.get_field("pacientes").related_model
    counts = (
        paciente_model.objects.filter(propietario=OuterRef("pk"))
        .order_by()
        .values("propietario")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def cliente_list(*, user):
    """Clientes the user may see, with `num_pacientes` annotated."""
    queryset = Cliente.objects.annotate(num_pacientes=num_pacientes_subquery())
    return scope_to_owner(queryset, user, owner_path="usuario")
