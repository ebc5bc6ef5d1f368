from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower

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
    return queryset.visible_to(user)


def clientes_por_documento(documentos):
    """Clientes whose documento is one of `documentos` (lower case), through the unique
    index on LOWER(documento): its predicate, `documento <> ''`, is spelt out so that
    PostgreSQL uses it for a list of any length."""
    return (
        Cliente.objects.annotate(documento_lower=Lower("documento"))
        .filter(documento_lower__in=documentos)
        .exclude(documento="")
        .order_by()
    )
