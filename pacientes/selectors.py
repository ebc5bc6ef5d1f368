from accounts.permissions import scope_to_owner

from .models import Paciente


def paciente_list(*, user):
    """Pacientes the user may see, with their owner joined."""
    queryset = Paciente.objects.select_related("propietario")
    return scope_to_owner(queryset, user, owner_path="propietario__usuario")
