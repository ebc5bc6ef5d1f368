from django.utils import timezone

from .models import ESTADOS_ACTIVOS, Bloqueo, Cita, HorarioAtencion


def cita_list(*, user):
    """Citas the user may see, with what the list shows of the paciente (nombre, especie), of
    its owner (id, name, phone) and of the vet (name) joined in, and nothing more: the other
    columns of the joined tables would cost more to load than the citas themselves."""
    queryset = Cita.objects.select_related("paciente__propietario", "veterinario", "sede").only(
        *(field.name for field in Cita._meta.concrete_fields),
        "paciente__nombre",
        "paciente__especie",
        "paciente__propietario__nombre",
        "paciente__propietario__apellidos",
        "paciente__propietario__telefono",
        "veterinario__nombre",
        "veterinario__apellidos",
        "sede__nombre",
        "sede__zona_horaria",
    )
    return queryset.visible_to(user)


def horario_list(*, user):
    """Horario rows of the sedes `user` works at (an admin: all)."""
    return HorarioAtencion.objects.select_related("veterinario", "sede").visible_to(user)


def bloqueo_list(*, user):
    return Bloqueo.objects.select_related("veterinario", "creado_por")


def citas_futuras_ids(veterinario, sedes=None):
    """Ids of the active citas (ESTADOS_ACTIVOS) `veterinario` still has to attend (`sedes`:
    only those at these sedes): those not over yet (one under way included), by start. What
    keeps a vet from being deactivated, changing rol or leaving a sede (registered into
    accounts.services from CitasConfig.ready)."""
    citas = Cita.objects.filter(veterinario=veterinario, estado__in=ESTADOS_ACTIVOS, fin__gt=timezone.now())
    if sedes is not None:
        citas = citas.filter(sede__in=sedes)
    return citas.order_by("inicio", "id").values_list("id", flat=True)
