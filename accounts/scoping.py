"""The one scoping API: which rows a user may see, and which they may change.

A model whose rows belong to someone says so once, in its `ownership`:

    class Consulta(models.Model):
        ownership = Ownership(
            owner="paciente__propietario__usuario",             # an owner sees their animals' rows
            author="veterinario",                               # the vet who wrote it ...
            authors_only={Rol.VETERINARIO, Rol.RECEPCIONISTA},  # ... is the only one of these who changes it
        )
        objects = ScopedQuerySet.as_manager()

and every read, filter choice, related field, service check and admin permission asks the
same question of it:

    Consulta.objects.visible_to(user)          # what `user` may see (others answer 404)
    Consulta.objects.visible_to(user, CHANGE)  # what `user` may change or delete
    may(user, consulta, CHANGE)                # the same, for one row (403 when not)

Staff see every row, except that veterinarios and recepcionistas see the rows of a model with a
`sede` path only where it leads to a sede they work at (`user.sedes`; an admin works at all);
an integration key's user sees only the rows of its sedes (`sedes_de_clave`; by `sede_de_clave`
where staff's view is organisation-wide, as the consultas of the clinical record);
a `cliente` user sees only the rows whose `owner` path leads to itself, and those every owner
may read (`public`, a condition: the sedes that take online bookings), and changes them only
where `owner_changes`; the roles in `authors_only` change only the rows they wrote.
Which *actions* a role may call at all is the role table's business (accounts.permissions).
"""

from dataclasses import dataclass, field

from django.db import models

from .models import Rol
from .permissions import is_cliente

VIEW = "view"
CHANGE = "change"  # deleting included

# The roles whose view of sede-bound rows stops at the sedes they work at.
ROLES_POR_SEDE = frozenset({Rol.VETERINARIO, Rol.RECEPCIONISTA})


@dataclass(frozen=True)
class Ownership:
    """`owner`: the lookup from the model to the cliente user it belongs to; `owner_changes`:
    whether that owner may change it too (their own record, cancelling their cita) or only read
    it; `public`: a condition (Q) on the rows every owner may read though nobody owns them;
    `sede`: the lookup from the model to the sede it belongs to; `sede_de_clave`: that lookup
    for a model whose rows every staff member reads whatever the sede (the clinical record) but
    an integration key only at its sedes; `author` and `authors_only`: the roles that change
    only the rows they wrote."""

    owner: str | None = None
    owner_changes: bool = False
    public: models.Q | None = None
    sede: str | None = None
    sede_de_clave: str | None = None
    author: str | None = None
    authors_only: frozenset = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "authors_only", frozenset(self.authors_only))


NOBODYS = Ownership()


def ownership_of(model) -> Ownership:
    return getattr(model, "ownership", NOBODYS)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action=VIEW):
        """The rows of this queryset that `user` may see (`VIEW`) or change (`CHANGE`)."""
        ownership = ownership_of(self.model)
        if user is None or not user.is_authenticated:
            return self.none()
        if is_cliente(user):
            if action == VIEW and ownership.public is not None:
                return self.filter(ownership.public)
            if not ownership.owner or (action == CHANGE and not ownership.owner_changes):
                return self.none()
            return self.filter(**{ownership.owner: user})
        queryset = self
        if ownership.sede and user.rol in ROLES_POR_SEDE:
            queryset = queryset.filter(**{f"{ownership.sede}__in": sedes_de(user)})
        sede_de_clave = ownership.sede or ownership.sede_de_clave
        if sede_de_clave and sedes_de_clave(user) is not None:
            queryset = queryset.filter(**{f"{sede_de_clave}__in": sedes_de_clave(user)})
        if action == CHANGE and user.rol in ownership.authors_only:
            return queryset.filter(**{ownership.author: user})
        return queryset


def sedes_de(user):
    """The ids of the sedes `user` works at, as a subquery (an admin works at all of them,
    whatever this says: `visible_to` does not ask)."""
    return user.sedes.values("pk")


def sedes_de_clave(user):
    """The sede ids an integration key is narrowed to (its service user carries them, see
    integraciones.authentication), or None: every sede its rol reaches."""
    return getattr(user, "sedes_integracion", None)


def clave_permite(user, recurso, verbo) -> bool:
    """Whether an integration key's permisos name `<recurso>:<verbo>` (integraciones.
    authentication carries them on its user), for a write one request makes on another
    resource's behalf (a consulta's charges on a factura); any other caller, True."""
    permite = getattr(user, "permite_integracion", None)
    return True if permite is None else permite(recurso, verbo)


def _sedes(queryset):
    if queryset is not None:
        return queryset
    from django.apps import apps  # sedes.models imports this module

    return apps.get_model("sedes", "Sede")._default_manager.all()


def _narrowed_to_key(user, sedes):
    clave = sedes_de_clave(user)
    return sedes if clave is None else sedes.filter(pk__in=clave)


def sedes_de_trabajo(user, sedes=None):
    """The sedes `user` may act at (book, invoice, point a webhook at), of `sedes` (a Sede
    queryset; all of them by default): an admin, every one; a veterinario or recepcionista,
    those they work at; an integration key, only its own (`sedes_de_clave`); anybody else, none.
    `works_at` asks the same of one sede."""
    sedes = _sedes(sedes)
    if user is None or not user.is_authenticated:
        return sedes.none()
    if user.rol in ROLES_POR_SEDE:
        sedes = sedes.filter(pk__in=sedes_de(user))
    elif user.rol != Rol.ADMIN:
        return sedes.none()
    return _narrowed_to_key(user, sedes)


def sedes_visibles(user, sedes=None):
    """The sedes `user` may see, of `sedes` (a Sede queryset; all of them by default): staff,
    every one, but an integration key only its own (any other answers 404, or 400 where it is
    named as a filter or field); a `cliente`, those every owner may read (Sede.ownership.public:
    the active ones that take online bookings)."""
    sedes = _sedes(sedes)
    if user is None or not user.is_authenticated:
        return sedes.none()
    if is_cliente(user):
        public = ownership_of(sedes.model).public
        return sedes.none() if public is None else sedes.filter(public)
    return _narrowed_to_key(user, sedes)


def works_at(user, sede) -> bool:
    """Whether `user` may act at `sede` (one of `sedes_de_trabajo`): an admin anywhere, other
    staff where they work, an integration key only at its sedes."""
    pk = getattr(sede, "pk", sede)
    if user is None or not user.is_authenticated:
        return False
    clave = sedes_de_clave(user)
    if clave is not None and pk not in clave:
        return False
    if user.rol == Rol.ADMIN:
        return True
    return user.rol in ROLES_POR_SEDE and user.sedes.filter(pk=pk).exists()


def may(user, obj, action=CHANGE) -> bool:
    """Whether `user` may `action` the stored row `obj` (one query)."""
    return type(obj)._default_manager.visible_to(user, action).filter(pk=obj.pk).exists()


def may_author(user, model, author) -> bool:
    """Whether `user` may write a row of `model` whose author is `author` (a row not stored
    yet: a vet books bloqueos only for themselves)."""
    ownership = ownership_of(model)
    return user.rol not in ownership.authors_only or getattr(author, "pk", author) == user.pk
