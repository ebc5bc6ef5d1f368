"""Settings shared by every environment.

Everything that varies between a laptop and production is read from the
environment (or a local `.env` file) through one django-environ `env`;
`dev`, `prod` and `test` only override. Every variable is listed, with a
comment, in `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as cors_default_headers
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env configures `make run` and the commands; the test suite must not depend on it
# (the process environment, e.g. CI's DATABASE_URL, still applies).
if os.environ.get("DJANGO_SETTINGS_MODULE") != "vetclinic.settings.test":
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me-only-for-local-development")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    # Listed for its translations: Django finds an app's catalog only under an installed app
    # (the token_blacklist app's folder has none), so simplejwt's messages stayed English.
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "simple_history",
    "core",
    "api",
    "accounts",
    "sedes",
    "clientes",
    "pacientes",
    "citas",
    "historial",
    "facturacion",
    "recordatorios",
    # Its abstract key model (hashed keys) underlies integraciones.ClaveIntegracion; the app
    # must be installed for its own concrete model, which the project does not use.
    "rest_framework_api_key",
    "integraciones",
    "demo",
]

MIDDLEWARE = [
    "api.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.SecurityHeadersMiddleware",
    "api.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.ratelimit.RateLimitHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vetclinic.urls"
WSGI_APPLICATION = "vetclinic.wsgi.application"
ASGI_APPLICATION = "vetclinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# Unset DATABASE_URL means a zero-setup SQLite file in the project directory.

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has a single writer: take the write lock when a transaction begins and wait
    # for it, so that concurrent bookings queue up and the loser gets its 409 instead of
    # "database is locked" (a 500) when it tries to upgrade a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# No statement of a web request may hold PostgreSQL longer than this (0 = no limit); a
# cancelled statement answers 503. Management commands (imports) use
# DB_COMMAND_STATEMENT_TIMEOUT_MS instead (manage.py marks them). JIT is off:
# it can keep the planner busy for minutes on a pathological query, beyond any cancel.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=5000)
DB_COMMAND_STATEMENT_TIMEOUT_MS = env.int("DB_COMMAND_STATEMENT_TIMEOUT_MS", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _timeout = DB_COMMAND_STATEMENT_TIMEOUT_MS if os.environ.get("VETCLINIC_PROCESS") == "command" else (
        DB_STATEMENT_TIMEOUT_MS
    )
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={_timeout} -c jit=off"

# --- Auth -------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = env("LANGUAGE_CODE", default="es")
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Madrid")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Cache ------------------------------------------------------------------
# Throttle counters live in the cache, so it must be shared by every worker:
# Redis when REDIS_URL is set, else the database (works across processes).

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A dead or unreachable Redis must fail fast (the throttles then let requests through),
            # not hold each request for redis-py's default of 5 s per call.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "vetclinic_cache"}}
# Where the password throttles count while the default cache is down (accounts.throttles);
# the table exists whatever CACHES says (core migration 0002).
CACHES["fallback"] = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "vetclinic_cache"}
FALLBACK_CACHE_ALIAS = "fallback"

# --- Email ------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="VetClinic <no-reply@vetclinic.local>")
# Seconds an SMTP connection may block (a reminder is sent inside its transaction: a hung mail
# server must not hold it open forever).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Background work (Celery) -----------------------------------------------
# Webhook deliveries, messages and scheduled jobs run on Celery workers
# (`celery -A vetclinic worker --beat`, vetclinic/celery.py) sharing the broker. Unset: every task
# runs eagerly in the web process, after the commit of the change that queued it.

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
# Nothing is lost when a worker dies mid-task: a message is acknowledged once its task has run,
# and handed back to the broker when the worker process is lost; one task at a time per process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis gives an unacknowledged message (its worker was killed) to another worker after this
# many seconds; beat's sweep (below) queues what is due again sooner.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TIMEZONE = TIME_ZONE
# Seconds between two sweeps of the webhook deliveries that are due (retries, and any whose
# message a dead worker took with it).
WEBHOOK_BARRIDO_SEGUNDOS = env.int("WEBHOOK_BARRIDO_SEGUNDOS", default=60)
# Tests only: the broker of the real workers the worker tests start (pytest -m worker); unset,
# they are skipped.
CELERY_TEST_BROKER_URL = env("CELERY_TEST_BROKER_URL", default="")
# Seconds between two sweeps of the reminders that are due (and of the messages to retry).
RECORDATORIOS_BARRIDO_SEGUNDOS = env.int("RECORDATORIOS_BARRIDO_SEGUNDOS", default=300)
CELERY_BEAT_SCHEDULE = {
    "barrer-entregas": {"task": "integraciones.barrer_entregas", "schedule": WEBHOOK_BARRIDO_SEGUNDOS},
    "limpiar-eventos": {"task": "integraciones.limpiar_eventos", "schedule": 60 * 60},
    "enviar-recordatorios": {"task": "recordatorios.enviar_pendientes", "schedule": RECORDATORIOS_BARRIDO_SEGUNDOS},
}

# --- Integraciones ----------------------------------------------------------
# Days the event feed keeps an event (and its deliveries); older ones are removed hourly.
EVENTOS_DIAS = env.int("EVENTOS_DIAS", default=90)
# Webhooks: retries of a failed delivery (backoff from WEBHOOK_BACKOFF_SEGUNDOS, doubling),
# failed attempts in a row that disable a webhook, and the timeout of one attempt.
WEBHOOK_REINTENTOS = env.int("WEBHOOK_REINTENTOS", default=8)
WEBHOOK_BACKOFF_SEGUNDOS = env.int("WEBHOOK_BACKOFF_SEGUNDOS", default=60)
WEBHOOK_FALLOS_MAX = env.int("WEBHOOK_FALLOS_MAX", default=20)
WEBHOOK_TIMEOUT_SEGUNDOS = env.float("WEBHOOK_TIMEOUT_SEGUNDOS", default=10.0)

# --- Reminder channels --------------------------------------------------------
# SMS and WhatsApp backends by URL: console://, webhook+https://host/path (JSON POST
# {"to","body","reference"} answered with {"id"}), twilio://SID:TOKEN@FROM; empty: channel off.
SMS_URL = env("SMS_URL", default="")
WHATSAPP_URL = env("WHATSAPP_URL", default="")
# Twilio's API root (a test or a proxy may point it elsewhere).
TWILIO_API_URL = env("TWILIO_API_URL", default="https://api.twilio.com")
# Seconds a gateway request may take before it counts as a failed attempt.
MENSAJE_TIMEOUT = env.int("MENSAJE_TIMEOUT", default=10)
# Attempts of a message before it is left `fallido` (backoff: 1, 2, 4, 8… minutes).
MENSAJE_REINTENTOS = env.int("MENSAJE_REINTENTOS", default=5)
# Offsets of the reminders: days before a vaccine dose, hours before a cita.
RECORDATORIO_VACUNA_DIAS = env.list("RECORDATORIO_VACUNA_DIAS", cast=int, default=[14, 3])
RECORDATORIO_CITA_HORAS = env.list("RECORDATORIO_CITA_HORAS", cast=int, default=[48, 2])
# No SMS/WhatsApp between these local times of the sede (they wait for the morning).
HORA_SILENCIO_DESDE = env("HORA_SILENCIO_DESDE", default="21:00")
HORA_SILENCIO_HASTA = env("HORA_SILENCIO_HASTA", default="09:00")
# Secret of the providers' signed status callbacks (POST /api/v1/mensajes/estado/<canal>/);
# empty: every callback is refused.
MENSAJES_CALLBACK_SECRET = env("MENSAJES_CALLBACK_SECRET", default="")

# --- CORS -------------------------------------------------------------------

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# What a browser client may read of an answer, and send besides the default request headers.
CORS_EXPOSE_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "X-Request-ID",
    "ETag",
    "Idempotent-Replayed",
]
CORS_ALLOW_HEADERS = [*cors_default_headers, "idempotency-key", "if-match", "if-none-match", "x-request-id"]

# --- REST framework ---------------------------------------------------------

# Login attempts per (client IP, email), and per client IP whatever the email (API and admin).
LOGIN_RATE = env("LOGIN_RATE", default="10/min")
LOGIN_IP_RATE = env("LOGIN_IP_RATE", default="100/min")
# Ceiling on every other request, per client IP (anonymous) or per user.
ANON_RATE = env("ANON_RATE", default="120/min")
USER_RATE = env("USER_RATE", default="1200/min")
# Ceiling per integration key (Authorization: Api-Key …), instead of USER_RATE.
INTEGRATION_RATE = env("INTEGRATION_RATE", default="1200/min")

REST_FRAMEWORK = {
    # People (Bearer JWT) and integrations (Api-Key, integraciones.authentication).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "integraciones.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "api.filters.SearchFilter",
        "api.filters.OrderingFilter",
        "api.filters.UpdatedSinceFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    # drf-standardized-errors' entry point (its schema integration checks for this very function);
    # the project's conversions live in the handler class below.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.AnonRateThrottle",
        "accounts.throttles.UserRateThrottle",
        "integraciones.throttles.IntegrationRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "login": LOGIN_RATE,
        "login_ip": LOGIN_IP_RATE,
        "anon": ANON_RATE,
        "user": USER_RATE,
        "integracion": INTEGRATION_RATE,
    },
    # Trusted X-Forwarded-For hops when finding the client IP (DRF's get_ident): 0 = the socket address.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Every error answer: {"type", "errors": [{"code", "detail", "attr"}]} (api.exceptions).
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "api.exceptions.ExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "api.exceptions.ExceptionFormatter",
    # The statuses the schema documents, per operation that can answer them (api.schema; 409
    # with each operation's own codes, from its viewset's `conflict_codes`).
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "429", "500", "503"],
    "ERROR_SCHEMAS": {
        "401": "api.schema.ErrorResponse401Serializer",
        "413": "api.schema.ErrorResponse413Serializer",
        "503": "api.schema.ErrorResponse503Serializer",
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # A password change invalidates access tokens issued before it.
    "CHECK_REVOKE_TOKEN": True,
    # Access tokens carry their issue time to the microsecond (accounts.tokens), so that a
    # logout or a deactivation kills exactly the tokens issued before it.
    "TOKEN_OBTAIN_SERIALIZER": "accounts.tokens.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.tokens.TokenRefreshSerializer",
    "TOKEN_BLACKLIST_SERIALIZER": "accounts.tokens.TokenBlacklistSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "VetClinic API",
    "DESCRIPTION": "Backend for veterinary clinic chains: owners (clientes), patients (pacientes), "
    "appointments (citas), the clinical record (historial) and reminders (recordatorios).",
    "VERSION": "1.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Paths are absolute (/api/v1/...): the API is on the host that serves the schema.
    "SERVERS": [{"url": "/", "description": "The host serving this schema"}],
    # One document for every language (api.schema.SchemaGenerator renders it in English).
    "DEFAULT_GENERATOR_CLASS": "api.schema.SchemaGenerator",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: Swagger UI would send the schema to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    # ReDoc's default typography names Google Fonts (drf-spectacular's page links them): system
    # fonts keep every request on this host. Rendered as attributes of <redoc> by api.views.RedocView.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
                "code": {"fontFamily": "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace"},
            }
        },
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Read-only fields are always in a response: keep them `required` there (request components
    # leave them out). Fields that are only optional on input are made required in responses by
    # api.schema.AutoSchema.
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every choice set is one named component, whatever field or filter uses it.
    "ENUM_NAME_OVERRIDES": {
        "EspecieEnum": "pacientes.models.Especie.choices",
        "SexoEnum": "pacientes.models.Sexo.choices",
        "EstadoCitaEnum": "citas.models.EstadoCita.choices",
        "DiaSemanaEnum": "citas.models.DiaSemana.choices",
        "RolEnum": "accounts.models.Rol.choices",
        "TipoRecordatorioEnum": "recordatorios.models.TipoRecordatorio.choices",
        "CanalEnum": "clientes.models.CanalPreferido.choices",
        "IdiomaEnum": "clientes.models.Idioma.choices",
        "EstadoMensajeEnum": "recordatorios.models.EstadoMensaje.choices",
        "EstadoInformadoEnum": "recordatorios.models.EstadoInformado.choices",
        "HealthStatusEnum": "api.views.HEALTH_STATUSES",
        "TipoEventoEnum": "integraciones.models.TipoEvento.choices",
        "EstadoEntregaEnum": "integraciones.models.EstadoEntrega.choices",
        # drf-standardized-errors' error enums (its documented overrides).
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "api.schema.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode413Enum": "api.schema.ErrorCode413Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        "ErrorCode503Enum": "api.schema.ErrorCode503Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        # drf-standardized-errors' copy of drf-spectacular's enum hook: it leaves the per-field
        # error components (`…ErrorComponent`) alone.
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "api.schema.ref_parameter_enums",
        "api.schema.mark_public_operations",
        "api.schema.type_nullable_enums",
        "api.schema.indexed_error_attrs",
        "api.schema_concurrency.document_concurrency_headers",
    ],
}

# --- Concurrency and retries ------------------------------------------------
# Idempotency-Key (api.idempotency): how long a key's answer is kept (the contract's 24 hours),
# and how long a first request may run before a retry may take over a claim it left behind.

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
IDEMPOTENCY_LEASE = timedelta(seconds=60)

# --- Clinic -----------------------------------------------------------------

CLINIC_NAME = env("CLINIC_NAME", default="Clínica Veterinaria")
# The clinic's currency (ISO 4217), printed on invoices and their PDFs.
MONEDA = env("MONEDA", default="EUR")
# Grid of bookable slot starts, in minutes.
SLOT_MINUTES = env.int("SLOT_MINUTES", default=15)
# Opening hours for vets with no horario rows: "DAYS=HH:MM-HH:MM[,HH:MM-HH:MM]" entries
# separated by ";", days 0 (Monday) to 6 (Sunday) as a range or list (see .env.example).
CLINIC_HOURS = env("CLINIC_HOURS", default="0-4=09:00-18:00")
# What a `cliente` user may book online: these durations (minutes), at most RESERVA_MAX_DIAS
# days ahead, and at most RESERVA_MAX_ACTIVAS active citas from now on per owner.
DURACIONES_RESERVA = env.list("DURACIONES_RESERVA", cast=int, default=[15, 30, 45, 60])
RESERVA_MAX_DIAS = env.int("RESERVA_MAX_DIAS", default=180)
RESERVA_MAX_ACTIVAS = env.int("RESERVA_MAX_ACTIVAS", default=5)
# Region (ISO 3166 code) a phone number typed without its country prefix belongs to: phones
# are stored in E.164 (+34600111222) when they parse with it (core.phones).
PHONE_REGION = env("PHONE_REGION", default="ES")

# --- Limits -----------------------------------------------------------------

# Largest request body accepted (413 beyond it); also Django's own form-data limit.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# --- Admin ------------------------------------------------------------------

# Path of the Django admin; a non-obvious one keeps scanners away.
ADMIN_URL = env("ADMIN_URL", default="admin/")
# The audit history is read-only: no "revert" button (core.admin.HistoryAdmin refuses the POST).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Logging ----------------------------------------------------------------
# One JSON object per line (LOG_FORMAT=json, production default) or plain text.

LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
