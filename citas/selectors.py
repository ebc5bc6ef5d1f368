from accounts.permissions import scope_to_owner

from .models import Bloqueo, Cita, HorarioAtencion

OWNER = "paciente__propietario__usuario"


def cita_list(*, user):
    """Citas the user may see, with everything the list shows joined in."""
    queryset = Cita.objects.select_related("paciente", "paciente__propietario", "veterinario", "creado_por")
    return scope_to_owner(queryset, user, owner_path=OWNER)


def horario_list(*, user):
    return HorarioAtencion.objects.select_related("veterinario")


def bloqueo_list(*, user):
    return Bloqueo.objects.select_related("veterinario", "creado_por")
