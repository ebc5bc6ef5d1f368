from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

# Caches whose add() and incr() are atomic: Redis (SET NX, INCRBY) and the in-process cache
# (it locks). The database cache reads and writes back, so a burst could overshoot the limit.
ATOMIC_COUNTERS = (RedisCache, LocMemCache)


class LoginRateThrottle(SimpleRateThrottle):
    """Limits login attempts per client IP (`LOGIN_RATE`), whoever the caller claims to be.

    The IP is the socket address unless `NUM_PROXIES` trusts X-Forwarded-For hops.

    On Redis the limit is exact under concurrency: one atomic counter per IP, whose window
    opens with the first attempt (DRF's own throttle reads a history, then writes it back,
    and a burst of parallel attempts all read the same history). On the database cache,
    the fallback without Redis, DRF's throttle applies as is.
    """

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    @staticmethod
    def _atomic_cache():
        # `self.cache` is a proxy; the backend behind it tells whether counters are atomic.
        backend = caches[DEFAULT_CACHE_ALIAS]
        return backend if isinstance(backend, ATOMIC_COUNTERS) else None

    def allow_request(self, request, view):
        cache = self._atomic_cache()
        if self.rate is None or cache is None:
            return super().allow_request(request, view)
        key = f"{self.get_cache_key(request, view)}:n"
        if cache.add(key, 1, timeout=self.duration):
            return True
        try:
            attempts = cache.incr(key)
        except ValueError:  # the window closed between add() and incr()
            attempts = 1 if cache.add(key, 1, timeout=self.duration) else cache.incr(key)
        return attempts <= self.num_requests

    def wait(self):
        if self._atomic_cache() is None:
            return super().wait()
        return self.duration  # at most: the window opened with this IP's first attempt
