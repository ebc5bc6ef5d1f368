from rest_framework.throttling import SimpleRateThrottle


class LoginRateThrottle(SimpleRateThrottle):
    """Limits login attempts per client IP (`LOGIN_RATE`), whoever the caller claims to be.

    The IP is the socket address unless `NUM_PROXIES` trusts X-Forwarded-For hops.
    """

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
