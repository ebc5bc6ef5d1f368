"""The API's throttles (and the admin login's): DRF's, made to fail open, plus atomic counters
for the attempts that guess a password."""

import hashlib
import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework import exceptions, throttling
from rest_framework.request import Request

from api.ratelimit import LiveRatesMixin, RateLimitMixin

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
        except exceptions.APIException:
            raise  # the request's own fault (a body that does not parse), answered as the view would
        except Exception as exc:
            logger.warning(
                "throttle %s: cache unavailable (%s), request allowed unthrottled",
                getattr(self, "scope", None) or type(self).__name__,
                type(exc).__name__,
            )
            return True


class AnonRateThrottle(FailOpenThrottleMixin, LiveRatesMixin, throttling.AnonRateThrottle):
    """Every request without a user, per client IP (`ANON_RATE`)."""


class UserRateThrottle(FailOpenThrottleMixin, RateLimitMixin, throttling.UserRateThrottle):
    """Every authenticated request, per user (`USER_RATE`): the people's ceiling, shown in the
    `X-RateLimit-*` headers (api.ratelimit). An integration key's ceiling (`INTEGRATION_RATE`)
    is a throttle of its own, keyed by the key, that mixes in the same `RateLimitMixin` (and
    this one then skips the requests made with a key).

    Anonymous requests are `AnonRateThrottle`'s alone (DRF's UserRateThrottle would count them
    per IP as well, and show USER_RATE to a caller whose ceiling is ANON_RATE)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        if getattr(request.auth, "permite", None) is not None:
            return None  # an integration key: its own ceiling, INTEGRATION_RATE
        return super().get_cache_key(request, view)


class AttemptRateThrottle(LiveRatesMixin, throttling.SimpleRateThrottle):
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
        except exceptions.APIException:
            raise  # not the cache's failure: the request's (see FailOpenThrottleMixin)
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
            # DRF's answer, or the whole window when it has none (a history longer than the
            # limit, written by racing workers): a 429 always says when to come back.
            wait = super().wait()
            return self.duration if wait is None else wait
        return self.duration  # at most: the window opened with the key's first attempt


def login_email(request):
    """The email a login attempt names, as the login matches it (trimmed, any case): the API's
    `email`, the admin form's `username`; "" when there is none.

    A DRF request's body is parsed here; one that does not parse raises the view's own 400."""
    if isinstance(request, Request):
        data, field = request.data, "email"
    else:
        data, field = request.POST, "username"
    value = data.get(field) if isinstance(data, Mapping) else None
    return value.strip().lower() if isinstance(value, str) else ""


class LoginRateThrottle(FailOpenThrottleMixin, AttemptRateThrottle):
    """Login attempts per (client IP, email) at `LOGIN_RATE`: guesses at one account's password
    from one address. Another account from the same address has its own budget (an office
    behind one NAT address); `LoginIpRateThrottle` bounds the address as a whole.

    The email is hashed into the key: no personal data in the cache, and a bounded key however
    long the input. The API's and the admin's login count together (one key).
    The IP is the socket address unless `NUM_PROXIES` trusts X-Forwarded-For hops.
    """

    def get_cache_key(self, request, view):
        email = hashlib.sha256(login_email(request).encode()).hexdigest()[:32]
        return self.cache_format % {"scope": "login", "ident": f"{self.get_ident(request)}_{email}"}


class LoginIpRateThrottle(FailOpenThrottleMixin, AttemptRateThrottle):
    """Login attempts per client IP at `LOGIN_IP_RATE`, whatever email they name: one address
    trying many accounts (API and admin together)."""

    scope = "login_ip"  # the rate: LOGIN_IP_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "login_ip", "ident": self.get_ident(request)}


# Every login attempt counts against all of these (the API's login view and the admin's).
LOGIN_THROTTLES = (LoginRateThrottle, LoginIpRateThrottle)


def check_login_attempt(request, view=None):
    """Counts a login attempt against every login throttle, as DRF's `check_throttles` does;
    returns None when it may go on, else the seconds to wait (the longest any throttle asks)."""
    waits = []
    for throttle in (throttle_class() for throttle_class in LOGIN_THROTTLES):
        if not throttle.allow_request(request, view):
            waits.append(throttle.wait())
    return max(waits) if waits else None


class PasswordChangeRateThrottle(FailOpenThrottleMixin, AttemptRateThrottle):
    """Guesses of the current password when changing it, per user: a stolen access token
    must not be a way to find out the password itself."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": "password", "ident": request.user.pk}
