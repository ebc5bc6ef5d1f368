"""Test run: fast hashing, in-memory email and cache, no dependence on a local .env."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fallback"},
}
LANGUAGE_CODE = "es"
# Static files come from the app directories (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
