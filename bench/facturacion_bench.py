"""Billing figures: emitting invoices one after another through the service, and the resumen
over a year of a chain's invoices.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/SCRATCH python bench/facturacion_bench.py

It migrates the database it is given and writes into it (use a scratch one), then prints:
- the time to emit `--emitir` borradores (default 1,000) through `factura_emitir` (counter
  row, chain head, hash, event) and the rate;
- the time of `factura_resumen` over `--anio` emitted invoices (default 100,000, three lines
  each, spread over a year and `--sedes` sedes), for the whole chain and for one sede.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetclinic.settings.dev")
# A command's statement timeout, not a web request's: generating the year takes a while.
os.environ.setdefault("VETCLINIC_PROCESS", "command")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emitir", type=int, default=1000)
    parser.add_argument("--anio", type=int, default=100_000)
    parser.add_argument("--sedes", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL (DATABASE_URL)")

    import datetime
    from decimal import Decimal

    from accounts.models import Rol, User
    from clientes.models import Cliente
    from facturacion import services
    from facturacion.models import Factura, Impuesto, LineaFactura, Producto
    from facturacion.selectors import factura_resumen
    from sedes.models import Sede

    sufijo = str(int(time.time()))[-6:]
    admin = User.objects.create_user(f"bench-fact-{sufijo}@vetclinic.test", "x", rol=Rol.ADMIN)
    sedes = [
        Sede.objects.create(nombre=f"Bench {sufijo} {n}", codigo=f"B{sufijo}{n}", zona_horaria="Europe/Madrid")
        for n in range(args.sedes)
    ]
    iva = Impuesto.objects.create(nombre="IVA 21%", porcentaje=Decimal("21"))
    reducido = Impuesto.objects.create(nombre="IVA 10%", porcentaje=Decimal("10"))
    producto = Producto.objects.create(
        codigo=f"BENCH-{sufijo}", nombre="Consulta", precio=Decimal("35.00"), impuesto=iva
    )
    cliente = Cliente.objects.create(nombre="Bench", apellidos="Facturación", telefono="+34600000000")

    # 1. emitting, one after another, through the service
    borradores = [
        services.factura_create(
            actor=admin,
            cliente=cliente,
            sede=sedes[0],
            lineas=[
                {"producto": producto, "cantidad": Decimal("1")},
                {"producto": producto, "cantidad": Decimal("0.5")},
            ],
        )
        for _ in range(args.emitir)
    ]
    start = time.perf_counter()
    for factura in borradores:
        services.factura_emitir(actor=admin, factura=factura)
    elapsed = time.perf_counter() - start
    rate = args.emitir / elapsed
    print(f"emitir {args.emitir} facturas: {elapsed:.2f} s ({rate:.0f}/s, {1000 / rate:.1f} ms cada una)")

    # 2. a year of the chain's invoices, generated in SQL (borradores with lines, then emitted)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH nuevas AS (
                INSERT INTO facturacion_factura (creado_en, actualizado_en, sede_id, cliente_id, notas,
                    base_imponible, total_impuestos, total, serie, estado, pagado, hash_anterior, hash, codigo)
                SELECT now(), now(), (%s::bigint[])[1 + g %% %s], %s, '', 0, 0, 0, 'F', 'borrador', 0, '', '', ''
                FROM generate_series(1, %s) g
                RETURNING id
            )
            INSERT INTO facturacion_lineafactura (factura_id, descripcion, cantidad, precio_unitario, descuento_pct,
                impuesto_id, porcentaje, base, cuota, total, orden)
            SELECT id, 'Línea', 1, p.precio, 0, p.impuesto, p.pct, p.precio, round(p.precio * p.pct / 100, 2),
                   p.precio + round(p.precio * p.pct / 100, 2), p.orden
            FROM nuevas, (VALUES (35.00, %s, 21.00, 0), (12.40, %s, 10.00, 1), (28.00, %s, 21.00, 2))
                 AS p(precio, impuesto, pct, orden)
            """,
            [
                [s.pk for s in sedes[1:]] or [sedes[0].pk],
                max(len(sedes) - 1, 1),
                cliente.pk,
                args.anio,
                iva.pk,
                reducido.pk,
                iva.pk,
            ],
        )
        cursor.execute(
            """
            UPDATE facturacion_factura f SET estado = 'emitida', anio = 2025,
                numero = f.id, codigo = 'BENCH-' || f.id, fecha = DATE '2025-01-01' + (f.id %% 365)::int,
                base_imponible = 75.40, total_impuestos = 14.47, total = 89.87
            WHERE f.cliente_id = %s AND f.estado = 'borrador'
            """,
            [cliente.pk],
        )
    connection.cursor().execute("ANALYZE facturacion_factura; ANALYZE facturacion_lineafactura")
    print(f"generar {args.anio} facturas de un año: {time.perf_counter() - start:.1f} s")

    for etiqueta, kwargs in [("toda la cadena", {}), ("una sede", {"sede": sedes[-1]})]:
        tiempos = []
        for _ in range(5):
            start = time.perf_counter()
            resumen = factura_resumen(
                user=admin, desde=datetime.date(2025, 1, 1), hasta=datetime.date(2025, 12, 31), **kwargs
            )
            tiempos.append(time.perf_counter() - start)
        print(
            f"resumen de un año, {etiqueta}: {resumen['num_facturas']} facturas, total {resumen['total']}: "
            f"mediana {1000 * sorted(tiempos)[2]:.0f} ms"
        )
    print(
        f"(sedes de la prueba: {', '.join(s.codigo for s in sedes)}; facturas en la base: {Factura.objects.count()}, "
        f"líneas: {LineaFactura.objects.count()})"
    )


if __name__ == "__main__":
    main()
