"""The API's throttles (and the admin login's): DRF's, made to fail open, plus atomic counters
for the attempts that guess a password."""

import logging

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

logger = logging.getLogger(__name__)

# Caches whose add() and incr() are atomic: Redis (SET NX, INCRBY) and the in-process cache
# (it locks). The database cache reads and writes back, so a burst could overshoot the limit.
ATOMIC_COUNTERS = (RedisCache, LocMemCache)


class FailOpenThrottleMixin:
    """A throttle whose cache is down lets the request through and logs a warning.

    A throttle is a guard against abuse, not a reason to refuse service: without this, a Redis
    outage (connection refused, timeout) or a broken database cache would turn every API
    request into a 500. Any error is caught, since all a throttle does is talk to the cache;
    the log names the throttle and the error's type only, never the key (an IP, a user id) or
    the backend's message.
    """

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as exc:
            logger.warning(
                "throttle %s: cache unavailable (%s), request allowed unthrottled",
                getattr(self, "scope", None) or type(self).__name__,
                type(exc).__name__,
            )
            return True


class AnonRateThrottle(FailOpenThrottleMixin, throttling.AnonRateThrottle):
    """Every request without a user, per client IP (`ANON_RATE`)."""


class UserRateThrottle(FailOpenThrottleMixin, throttling.UserRateThrottle):
    """Every authenticated request, per user (`USER_RATE`)."""


class AttemptRateThrottle(throttling.SimpleRateThrottle):
    """Attempts at a password, at `LOGIN_RATE`, counted per whatever `get_cache_key` names.

    On Redis (and the in-process cache) the limit is exact under concurrency: one atomic
    counter per key, whose window opens with the first attempt (DRF's own throttle reads a
    history, then writes it back, and a burst of parallel attempts all read the same history).
    On the database cache, the fallback without Redis, DRF's throttle applies as is.

    When the shared cache fails, attempts are counted in the database cache
    (`FALLBACK_CACHE_ALIAS`) instead of going unlimited: a Redis outage must not open the door
    to password guessing. Only if that fails too does the throttle fail open.
    """

    scope = "login"  # the rate: LOGIN_RATE
    _used_cache = None

    def allow_request(self, request, view):
        try:
            return self._allow(request, view, caches[DEFAULT_CACHE_ALIAS])
        except Exception as exc:
            if not settings.FALLBACK_CACHE_ALIAS:
                raise
            logger.warning(
                "throttle %s: cache unavailable (%s), counting in the fallback cache", self.scope, type(exc).__name__
            )
            return self._allow(request, view, caches[settings.FALLBACK_CACHE_ALIAS])

    def _allow(self, request, view, cache):
        self._used_cache = cache
        if self.rate is None or not isinstance(cache, ATOMIC_COUNTERS):
            self.cache = cache
            return super().allow_request(request, view)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        key = f"{key}:n"
        if cache.add(key, 1, timeout=self.duration):
            return True
        try:
            attempts = cache.incr(key)
        except ValueError:  # the window closed between add() and incr()
            attempts = 1 if cache.add(key, 1, timeout=self.duration) else cache.incr(key)
        return attempts <= self.num_requests

    def wait(self):
        if not isinstance(self._used_cache, ATOMIC_COUNTERS):
            return super().wait()
        return self.duration  # at most: the window opened with the key's first attempt


class LoginRateThrottle(FailOpenThrottleMixin, AttemptRateThrottle):
    """Login attempts per client IP, whoever the caller claims to be; the API's and the
    admin's login count together (one key).

    The IP is the socket address unless `NUM_PROXIES` trusts X-Forwarded-For hops.
    """

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "login", "ident": self.get_ident(request)}


class PasswordChangeRateThrottle(FailOpenThrottleMixin, AttemptRateThrottle):
    """Guesses of the current password when changing it, per user: a stolen access token
    must not be a way to find out the password itself."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": "password", "ident": request.user.pk}
