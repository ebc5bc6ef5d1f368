"""Domain events, published by the services of every app in the transaction of the change.

A service that changes something an integrator may want to know about says so in one line,
inside its transaction:

    events.publish("cita.creada", instance=cita, sede=cita.sede_id)

Who records the event is not the publisher's business: the app that keeps the outbox
(integraciones, at the top of the apps) registers a recorder from its AppConfig.ready, so the
lower apps never import it. Without a recorder (an installation without that app) publishing
does nothing. A recorder runs in the caller's transaction: if the change rolls back, so does
its event.

`datos` is the object as the API shows it; each app names the serializer of its models
(`register_representation`, from its AppConfig.ready), and the recorder asks for it with
`representation(instance)`.
"""

_recorders = []
_representations = {}


def register_recorder(recorder) -> None:
    """`recorder(tipo, *, instance, sede, datos)` is called for every published event."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def register_representation(model, serializer_class, queryset=None) -> None:
    """`queryset`: a callable giving the queryset the API reads `model` through (annotations,
    joins), when the serializer needs more than the bare row (`num_pacientes`, `vencida`)."""
    _representations[model] = (serializer_class, queryset)


def representations(instances) -> list[dict]:
    """`representation` of many instances of one model, read in one query when the model names
    a queryset (an import publishes a whole batch at once)."""
    if not instances:
        return []
    serializer_class, queryset = _representations.get(type(instances[0]), (None, None))
    if serializer_class is None:
        return [{"id": instance.pk} for instance in instances]
    if queryset is not None:
        by_pk = queryset().in_bulk([instance.pk for instance in instances])
        instances = [by_pk[instance.pk] for instance in instances]
    return [dict(data) for data in serializer_class(instances, many=True).data]


def representation(instance) -> dict:
    """`instance` as the API shows it (its app's registered serializer); `{"id"}` without one."""
    serializer_class, queryset = _representations.get(type(instance), (None, None))
    if serializer_class is None:
        return {"id": instance.pk}
    if queryset is not None:
        instance = queryset().get(pk=instance.pk)
    return dict(serializer_class(instance).data)


def publish_many(tipo, *, instances) -> None:
    """`publish(tipo, instance=each)` for a batch of instances of one model (no sede), in as
    few queries as the recorder can (its `many`, when it has one)."""
    for recorder in _recorders:
        many = getattr(recorder, "many", None)
        if many is not None:
            many(tipo, instances=list(instances))
        else:
            for instance in instances:
                recorder(tipo, instance=instance, sede=None, datos=None)


def publish(tipo, *, instance=None, sede=None, datos=None) -> None:
    """Records event `tipo` about `instance` (at `sede`, an id or a Sede) in the current
    transaction. `datos` defaults to the instance's representation."""
    for recorder in _recorders:
        recorder(tipo, instance=instance, sede=getattr(sede, "pk", sede), datos=datos)
