import datetime
import uuid

import factory
from django.utils import timezone

from api.models import IdempotencyKey


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    """A key claimed by a request still running (`status_code` None) unless told otherwise."""

    class Meta:
        model = IdempotencyKey

    caller = "anon"
    key = factory.Sequence(lambda n: f"clave-{n}")
    fingerprint = "0" * 64
    method = "POST"
    path = "/api/v1/clientes/"
    token = factory.LazyFunction(uuid.uuid4)
    locked_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=24))
