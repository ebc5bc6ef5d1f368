from accounts.permissions import scope_to_owner

from .models import Bloqueo, Cita, HorarioAtencion

OWNER = "paciente__propietario__usuario"


def cita_list(*, user):
    """Citas the user may see, with what the list shows of the paciente (nombre, owner id) and
    of the vet (name) joined in, and nothing more: the other columns of three joined tables
    would cost more to load than the citas themselves."""
    queryset = Cita.objects.select_related("paciente", "veterinario").only(
        *(field.name for field in Cita._meta.concrete_fields),
        "paciente__nombre",
        "paciente__propietario",
        "veterinario__nombre",
        "veterinario__apellidos",
    )
    return scope_to_owner(queryset, user, owner_path=OWNER)


def horario_list(*, user):
    return HorarioAtencion.objects.select_related("veterinario")


def bloqueo_list(*, user):
    return Bloqueo.objects.select_related("veterinario", "creado_por")
