from contextvars import ContextVar

# The id of the request being served, for log lines (see RequestIdMiddleware).
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
