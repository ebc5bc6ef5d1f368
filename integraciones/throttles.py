from rest_framework import throttling

from accounts.throttles import FailOpenThrottleMixin
from api.ratelimit import RateLimitMixin

from .models import Integracion


class IntegrationRateThrottle(FailOpenThrottleMixin, RateLimitMixin, throttling.SimpleRateThrottle):
    """The ceiling of an integration key (`INTEGRATION_RATE`), per integration, shown in the
    X-RateLimit-* headers like a person's USER_RATE (which skips these requests)."""

    scope = "integracion"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, Integracion):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
