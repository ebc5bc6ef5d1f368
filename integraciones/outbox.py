"""The outbox: every published event becomes an Evento row in the transaction of the change.

Services publish at the end of their transaction, after their own row locks, so that the lock
below is the last one a writer takes (no writer waits for a row while holding it).

Commit order. A consumer of the feed remembers the last id it saw and asks `?despues_de=ID`, so
an id must never become visible after a higher one: with a plain sequence, a transaction that
took id 10 and commits after the one that took id 11 would be skipped by a consumer that read
11 in between. So on PostgreSQL the writer takes a transaction-scoped advisory lock
(`pg_advisory_xact_lock`) before it takes its first id, and holds it until its commit or
rollback: transactions that write events commit one after another, in the order of their ids.
(Transactions without events are not affected.) SQLite has one writer at a time anyway (its
transactions are IMMEDIATE), which gives the same order.
"""

from django.db import connection, transaction

from core import events

from . import deliveries
from .models import Evento

# pg_advisory_xact_lock's key: any constant of its own ("VCEV" in ASCII).
ORDEN_EVENTOS_LOCK = 0x56434556


def serializar_orden_de_commit() -> None:
    """Holds, until the current transaction ends, the lock that orders event ids by commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ORDEN_EVENTOS_LOCK])


def es_eliminacion(tipo) -> bool:
    return tipo.endswith((".eliminado", ".eliminada"))


def registrar_evento(tipo, *, instance=None, sede=None, datos=None) -> Evento:
    """The recorder of core.events: writes the Evento and the deliveries due to the webhooks
    that take it, in the caller's transaction (a change that rolls back leaves neither).
    `datos` defaults to the object as the API shows it; `{"id"}` for a deletion."""
    objeto_id = getattr(instance, "pk", None)
    if objeto_id is None and isinstance(datos, dict):
        objeto_id = datos.get("id")  # a deletion published after the delete (the pk is gone)
    if datos is None:
        datos = {"id": objeto_id} if es_eliminacion(tipo) or instance is None else events.representation(instance)
    with transaction.atomic():  # outside a transaction too, the lock must cover the insert
        serializar_orden_de_commit()
        evento = Evento.objects.create(tipo=tipo, sede_id=sede, objeto_id=objeto_id, datos=datos)
        deliveries.programar(evento)
    return evento


def registrar_eventos(tipo, *, instances) -> list[Evento]:
    """`registrar_evento` for a batch (an import's): one read of their representations, one
    insert of the events, one of their deliveries."""
    datos = [{"id": i.pk} for i in instances] if es_eliminacion(tipo) else events.representations(instances)
    with transaction.atomic():
        serializar_orden_de_commit()
        eventos = Evento.objects.bulk_create(
            [Evento(tipo=tipo, objeto_id=instance.pk, datos=d) for instance, d in zip(instances, datos, strict=True)]
        )
        deliveries.programar_varios(eventos)
    return eventos


registrar_evento.many = registrar_eventos
