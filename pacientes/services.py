"""Writes on pacientes, and the rule of their weight.

The weight rule: once the clinical record has measured a weight, `peso_kg` is the newest
measurement (`sync_peso`) and is not written by hand (`paciente_update`). The measurements
live in a higher app (historial's consultas), which registers where to read them
(`register_pesos_medidos`, from its AppConfig.ready); this module never imports it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import events
from core.exceptions import TIENE_HISTORIAL
from core.services import delete_or_conflict, model_update, save_validated

from .models import Paciente

EDITABLE_FIELDS = (
    "nombre",
    "especie",
    "raza",
    "sexo",
    "fecha_nacimiento",
    "color",
    "microchip",
    "esterilizado",
    "peso_kg",
    "alergias",
    "notas",
    "fallecido",
    "fecha_fallecimiento",
    "propietario",
    "activo",
)


PESO_DE_CONSULTA = _lazy("El peso lo fija la última consulta con peso; registre el nuevo peso en una consulta.")

# paciente (a Paciente, or an OuterRef to one) -> its measured weights, newest first; see the docstring.
_pesos_medidos = None


def register_pesos_medidos(source) -> None:
    """`source(paciente)` returns a queryset of the weights measured for `paciente` (rows with
    `peso_kg`, none null), newest first; `paciente` may be an `OuterRef` to a Paciente's pk."""
    global _pesos_medidos
    _pesos_medidos = source


def pesos_medidos(paciente):
    """The measured weights of `paciente` (see `register_pesos_medidos`), or None when no
    app measures weights."""
    return None if _pesos_medidos is None else _pesos_medidos(paciente)


def latest_weight(paciente):
    """The weight of the paciente's newest measurement (its newest consulta, by fecha, that
    recorded one), or None."""
    weighed = pesos_medidos(paciente)
    return None if weighed is None else weighed.values_list("peso_kg", flat=True).first()


def sync_peso(*, paciente, actor=None):
    """Keeps `paciente.peso_kg` equal to the weight of its newest consulta (by fecha) that has one.

    Without any weighed consulta the stored weight (entered by hand) is left alone.
    """
    latest = latest_weight(paciente)
    if latest is not None and paciente.peso_kg != latest:
        paciente.peso_kg = latest
        save_validated(paciente, actor=actor, update_fields=["peso_kg", "actualizado_en"])
        events.publish("paciente.actualizado", instance=paciente)


def check_peso_manual(*, paciente, peso_kg, medido=None):
    """The weight rule for a `peso_kg` written by hand (API, admin, import): once a consulta has
    measured a weight, `peso_kg` follows the consultas (see `sync_peso`) and a different one
    would be silently out of date, so it is refused. `medido` says whether a consulta has
    measured one (an importer knows it for a whole batch from `pesos_medidos`); None asks the
    database, and only when the weight changes."""
    if peso_kg == paciente.peso_kg:
        return
    if medido is None:
        medido = latest_weight(paciente) is not None
    if medido:
        raise ValidationError({"peso_kg": ValidationError(PESO_DE_CONSULTA, code="peso_de_consulta")})


@transaction.atomic
def paciente_create(*, actor, **data) -> Paciente:
    paciente = Paciente(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    save_validated(paciente, actor=actor)
    events.publish("paciente.creado", instance=paciente)
    return paciente


@transaction.atomic
def paciente_update(*, actor, paciente, data) -> Paciente:
    """A different `peso_kg` is refused once a consulta has recorded one (`check_peso_manual`)."""
    if "peso_kg" in data:
        check_peso_manual(paciente=paciente, peso_kg=data["peso_kg"])
    paciente, changed = model_update(actor=actor, instance=paciente, data=data, fields=EDITABLE_FIELDS)
    if changed:
        events.publish("paciente.actualizado", instance=paciente)
    return paciente


@transaction.atomic
def paciente_delete(*, actor, paciente) -> None:
    """Removes a paciente without history; citas, consultas or vacunas make it a 409."""
    pk = paciente.pk
    delete_or_conflict(
        paciente,
        actor=actor,
        detail=_("El paciente tiene citas o historia clínica y no puede eliminarse; desactívelo en su lugar."),
        code=TIENE_HISTORIAL,
    )
    events.publish("paciente.eliminado", instance=paciente, datos={"id": pk})
