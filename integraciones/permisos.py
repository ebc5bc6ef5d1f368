"""What an integration key may name in its `permisos`: `<recurso>:read` or `<recurso>:write`,
`<recurso>` being the first path segment under /api/v1/ (`citas`, `pacientes`, `eventos`…)."""

READ, WRITE = "read", "write"
# Resources a key never reaches, whatever it names: keys do not manage keys or users.
RECURSOS_VETADOS = frozenset({"integraciones", "usuarios", "auth"})
RECURSOS = (
    "sedes",
    "clientes",
    "pacientes",
    "citas",
    "horarios",
    "bloqueos",
    "veterinarios",
    "consultas",
    "vacunas",
    "recordatorios",
    "eventos",
    "webhooks",
    "plantillas",
    "mensajes",
    "impuestos",
    "productos",
    "presupuestos",
    "facturas",
    "pagos",
)
PERMISOS_VALIDOS = frozenset(f"{recurso}:{verbo}" for recurso in RECURSOS for verbo in (READ, WRITE))
