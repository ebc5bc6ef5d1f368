"""Database triggers that keep an emitted factura and its lines as they were emitted, whatever
path writes (the API, the admin, the ORM or plain SQL): after the borrador, only `estado`,
`pagado` and `actualizado_en` of a factura may change, it may not go back to borrador, and it
is never deleted; the lines of a non-borrador factura are never inserted, changed or deleted.
PostgreSQL and SQLite each get their own triggers (any other database gets none: the services
still refuse, 409 factura_no_editable)."""

from django.db import migrations

# What an emitted factura says: none of these changes after the borrador.
CONTENIDO = [
    "sede_id", "cliente_id", "paciente_id", "notas", "base_imponible", "total_impuestos", "total", "serie",
    "anio", "numero", "codigo", "fecha", "rectifica_id", "posicion_cadena", "hash_anterior", "hash", "emitida_en",
]
MENSAJE = "factura_no_editable: una factura emitida no puede modificarse"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION facturacion_factura_inmutable() RETURNS trigger AS $$
BEGIN
    IF OLD.estado <> 'borrador' THEN
        IF TG_OP = 'DELETE' OR NEW.estado = 'borrador'
           OR ({", ".join(f"NEW.{c}" for c in CONTENIDO)}) IS DISTINCT FROM ({", ".join(f"OLD.{c}" for c in CONTENIDO)}) THEN
            RAISE EXCEPTION '{MENSAJE} (%)', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER facturacion_factura_inmutable BEFORE UPDATE OR DELETE ON facturacion_factura
    FOR EACH ROW EXECUTE FUNCTION facturacion_factura_inmutable();

CREATE OR REPLACE FUNCTION facturacion_lineafactura_inmutable() RETURNS trigger AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND EXISTS (
            SELECT 1 FROM facturacion_factura WHERE id = OLD.factura_id AND estado <> 'borrador'))
       OR (TG_OP <> 'DELETE' AND EXISTS (
            SELECT 1 FROM facturacion_factura WHERE id = NEW.factura_id AND estado <> 'borrador')) THEN
        RAISE EXCEPTION '{MENSAJE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER facturacion_lineafactura_inmutable BEFORE INSERT OR UPDATE OR DELETE ON facturacion_lineafactura
    FOR EACH ROW EXECUTE FUNCTION facturacion_lineafactura_inmutable();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS facturacion_lineafactura_inmutable ON facturacion_lineafactura;
DROP FUNCTION IF EXISTS facturacion_lineafactura_inmutable();
DROP TRIGGER IF EXISTS facturacion_factura_inmutable ON facturacion_factura;
DROP FUNCTION IF EXISTS facturacion_factura_inmutable();
"""

_ESTADO = "(SELECT estado FROM facturacion_factura WHERE id = {}.factura_id) <> 'borrador'"
_RAISE = f"BEGIN SELECT RAISE(ABORT, '{MENSAJE}'); END"
SQLITE = [
    "CREATE TRIGGER facturacion_factura_inmutable_update BEFORE UPDATE ON facturacion_factura "
    "WHEN OLD.estado <> 'borrador' AND (NEW.estado = 'borrador' OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENIDO)
    + f") {_RAISE}",
    f"CREATE TRIGGER facturacion_factura_inmutable_delete BEFORE DELETE ON facturacion_factura "
    f"WHEN OLD.estado <> 'borrador' {_RAISE}",
    f"CREATE TRIGGER facturacion_lineafactura_inmutable_insert BEFORE INSERT ON facturacion_lineafactura "
    f"WHEN {_ESTADO.format('NEW')} {_RAISE}",
    f"CREATE TRIGGER facturacion_lineafactura_inmutable_update BEFORE UPDATE ON facturacion_lineafactura "
    f"WHEN {_ESTADO.format('OLD')} OR {_ESTADO.format('NEW')} {_RAISE}",
    f"CREATE TRIGGER facturacion_lineafactura_inmutable_delete BEFORE DELETE ON facturacion_lineafactura "
    f"WHEN {_ESTADO.format('OLD')} {_RAISE}",
]
SQLITE_TRIGGERS = [
    "facturacion_factura_inmutable_update",
    "facturacion_factura_inmutable_delete",
    "facturacion_lineafactura_inmutable_insert",
    "facturacion_lineafactura_inmutable_update",
    "facturacion_lineafactura_inmutable_delete",
]


def crear(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def borrar(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("facturacion", "0001_initial")]

    operations = [migrations.RunPython(crear, borrar)]
