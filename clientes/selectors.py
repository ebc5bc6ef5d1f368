import functools
import operator

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower

from core.phones import phone_search_digits

from .models import Cliente

# What `?search=` (and the admin's search box) looks in, each a case-insensitive substring
# answered on PostgreSQL by the column's trigram index (migrations 0002 and 0006).
SEARCH_FIELDS = ("nombre", "apellidos", "documento", "email", "telefono", "movil")
PHONE_FIELDS = ("telefono", "movil")


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


def cliente_list_all():
    """Every cliente, annotated as the API shows them (the representation of their events)."""
    return Cliente.objects.annotate(num_pacientes=num_pacientes_subquery())


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


def cliente_search(queryset, *, text, terms):
    """Clientes matching every term of the search in one of SEARCH_FIELDS, as DRF's SearchFilter
    would, or whose telefono or movil holds the number `text` spells, however it is written
    (`600 111 222`, `600-111-222`, `+34 600111222`, `0034600111222`: core.phones).

    Phones are stored normalised, so the query is normalised the same way and its digits are
    looked for in the stored values. Both matches are `id IN (term matches UNION phone
    matches)`, each branch answered by the trigram indexes: as one OR, PostgreSQL would walk
    the ordering's index row by row on a misestimate, several times slower."""
    condition = Q()
    for term in terms:
        condition &= functools.reduce(operator.or_, (Q(**{f"{name}__icontains": term}) for name in SEARCH_FIELDS))
    digits = phone_search_digits(text)
    if not digits:
        return queryset.filter(condition)
    by_phone = functools.reduce(operator.or_, (Q(**{f"{name}__icontains": digits}) for name in PHONE_FIELDS))
    matches = (
        Cliente.objects.filter(condition)
        .order_by()
        .values("pk")
        .union(Cliente.objects.filter(by_phone).order_by().values("pk"), all=True)
    )
    return queryset.filter(pk__in=matches)
