from django.db.models import Count

from accounts.permissions import scope_to_owner

from .models import Cliente


def cliente_list(*, user):
    """Clientes the user may see, with `num_pacientes` annotated."""
    queryset = Cliente.objects.annotate(num_pacientes=Count("pacientes"))
    return scope_to_owner(queryset, user, owner_path="usuario")
