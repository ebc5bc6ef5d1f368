"""Rate-limit headers: `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` on
every authenticated answer, for the caller's ceiling.

Two pieces, so that the state is computed once, by the throttle that counts the request:

- `RateLimitMixin`, mixed into the throttle that is a caller's ceiling (`USER_RATE` per user
  today; an `INTEGRATION_RATE` throttle per integration key mixes it in the same way, and since
  only one ceiling applies to a caller, whichever counted the request records it). When it
  counts a request it records a `RateLimit` on the request.
- `RateLimitHeadersMiddleware` writes the recorded `RateLimit` as headers on whatever answer
  leaves the view: a 2xx, a 4xx raised inside it, the 429 itself (with DRF's `Retry-After`).

A middleware rather than `finalize_response` in the base viewsets, because not every view derives
from them (the auth views, function views, third-party views such as simplejwt's refresh): a
middleware sees every answer once, whatever produced it. The one answer to an authenticated
caller where no throttle has run yet is a refusal by `check_permissions` (DRF checks permissions
before throttles); for it the middleware asks the view's ceiling throttle for the current state,
without counting (`RateLimitMixin.peek`).
"""

import logging
import math
from typing import NamedTuple

from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class RateLimit(NamedTuple):
    limit: int
    remaining: int
    reset: int  # seconds until the window frees a request (0: nothing counted in the window)


def _http_request(request):
    """The Django request under a DRF one: the one the middleware sees."""
    return getattr(request, "_request", request)


class LiveRatesMixin:
    """Reads the rate of its scope from the settings when built, not when the class was defined
    (DRF binds `THROTTLE_RATES` at import): a changed `REST_FRAMEWORK` setting applies at once."""

    @property
    def THROTTLE_RATES(self):  # noqa: N802 - DRF's attribute name
        return api_settings.DEFAULT_THROTTLE_RATES


class RateLimitMixin(LiveRatesMixin):
    """For a `SimpleRateThrottle` (DRF's sliding window: a history of request times per key)
    that is a caller's ceiling: records the state it counted on the request, and answers how
    long to wait with the same figure as `X-RateLimit-Reset`."""

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None and hasattr(self, "history"):
            _http_request(request).rate_limit = self._state(self.history, self.now)
        return allowed

    def wait(self):
        return self._state(self.history, self.now).reset

    def peek(self, request, view):
        """The state for this caller, without counting anything; None if the throttle does not
        apply to them."""
        if self.rate is None:
            return None
        key = self.get_cache_key(request, view)
        if key is None:
            return None
        now = self.timer()
        history = [moment for moment in self.cache.get(key, []) if moment > now - self.duration]
        return self._state(history, now)

    def _state(self, history, now):
        """`history` holds the request times inside the window, newest first."""
        counted = min(len(history), self.num_requests)
        if not counted:
            return RateLimit(self.num_requests, self.num_requests, 0)
        # The next request is allowed once the `counted`-th newest leaves the window.
        frees_at = history[counted - 1] + self.duration
        return RateLimit(self.num_requests, self.num_requests - counted, max(1, math.ceil(frees_at - now)))


def _peek(response):
    """The ceiling's state for an answer given before any throttle ran (a permission refusal),
    when DRF authenticated the caller; None otherwise."""
    context = getattr(response, "renderer_context", None) or {}
    view, request = context.get("view"), context.get("request")
    user = request.__dict__.get("_user") if request is not None else None  # never authenticate here
    if view is None or user is None or not user.is_authenticated:
        return None
    for throttle in view.get_throttles():
        if isinstance(throttle, RateLimitMixin):
            try:
                state = throttle.peek(request, view)
            except Exception as exc:  # the cache is down: the answer goes without headers
                logger.warning("rate-limit headers: cache unavailable (%s)", type(exc).__name__)
                return None
            if state is not None:
                return state
    return None


class RateLimitHeadersMiddleware:
    """Adds the caller's `RateLimit` (recorded by the throttle, see the module) as headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None) or _peek(response)
        if state is not None:
            response["X-RateLimit-Limit"] = str(state.limit)
            response["X-RateLimit-Remaining"] = str(state.remaining)
            response["X-RateLimit-Reset"] = str(state.reset)
        return response
