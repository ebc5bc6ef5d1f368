"""Benchmark: `importar_clientes` / `importar_pacientes` against PostgreSQL COPY.

    DJANGO_SETTINGS_MODULE=vetclinic.settings.dev \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vetclinic \\
    python bench/import_bench.py [--clientes 100000] [--pacientes 150000] [--batch-size 1000]

Generates the two CSV files (clientes in Windows-1252 with `;`, pacientes in
UTF-8 with `,`, synonyms, DD/MM/YYYY dates and comma decimals, as old systems
export them), then, in a throwaway database `test_<name>` created and dropped
by the benchmark (your data is never touched):

1. truncates the tables and runs each import command in its own process;
2. truncates again and loads the same rows with `COPY ... FROM STDIN`, also one
   process per table;

and prints rows/s and peak memory (max RSS of that process) for each, with the
import/COPY time ratio. COPY writes no audit rows and validates nothing: it is
the floor, not a competitor.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("pacientes_historicalpaciente", "pacientes_paciente", "clientes_historicalcliente", "clientes_cliente")

CLIENTE_COLUMNS = ("documento", "nombre", "apellidos", "telefono", "email", "direccion", "ciudad", "notas")
PACIENTE_COLUMNS = (
    "documento_propietario",
    "nombre",
    "especie",
    "raza",
    "sexo",
    "fecha_nacimiento",
    "color",
    "microchip",
    "esterilizado",
    "peso_kg",
    "alergias",
    "notas",
)
NOMBRES = ("María", "José", "Íñigo", "Begoña", "Martín", "Lucía", "Ángel", "Nuria", "Óscar", "Zoe")
APELLIDOS = ("Núñez", "Peña", "García", "Muñoz", "Ibáñez", "López", "Díaz", "Sáez", "Ruiz", "Gómez")
CIUDADES = ("Madrid", "Logroño", "A Coruña", "Cádiz", "Málaga", "León", "Ávila", "Jaén")
MASCOTAS = ("Toby", "Luna", "Misi", "Kiwi", "Rocky", "Nala", "Simba", "Coco", "Lola", "Thor")
# (canonical especie, how the old system wrote it)
ESPECIES = (("perro", "Canino"), ("gato", "felino"), ("conejo", "Conejo"), ("ave", "pájaro"), ("huron", "Hurón"))
SEXOS = (("macho", "M"), ("hembra", "H"), ("desconocido", ""))


def documento(n: int) -> str:
    return f"{n:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"


def clientes(count: int):
    """Canonical values of the benchmark's clientes (the CSV and COPY both come from here)."""
    for n in range(count):
        yield {
            "documento": documento(n),
            "nombre": NOMBRES[n % 10],
            "apellidos": f"{APELLIDOS[n % 10]} {APELLIDOS[(n // 10) % 10]}",
            "telefono": f"+34 6{n:08d}",
            "email": f"cliente{n}@correo.test" if n % 4 else "",
            "direccion": f"Calle Mayor {n % 300}, {n % 9 + 1}º",
            "ciudad": CIUDADES[n % len(CIUDADES)],
            "notas": "Prefiere WhatsApp; llamar tarde" if n % 7 == 0 else "",
        }


def pacientes(count: int, owners: int):
    """Canonical values plus the file notation; names unique per owner and species."""
    for n in range(count):
        especie, especie_csv = ESPECIES[n % len(ESPECIES)]
        sexo, sexo_csv = SEXOS[n % 3]
        born = datetime.date(2010, 1, 1) + datetime.timedelta(days=n % 4000)
        peso = Decimal(n % 400 + 5) / 10
        yield (
            {
                "owner": n % owners,
                "nombre": f"{MASCOTAS[n % 10]} {n // owners}",
                "especie": especie,
                "raza": "Mestizo" if n % 2 else "",
                "sexo": sexo,
                "fecha_nacimiento": born,
                "color": "Canela",
                "microchip": f"{724000000000000 + n}" if n % 3 else "",
                "esterilizado": n % 2 == 0,
                "peso_kg": peso,
                "alergias": "",
                "notas": "",
            },
            {"especie": especie_csv, "sexo": sexo_csv},
        )


def write_files(directory: Path, n_clientes: int, n_pacientes: int) -> tuple[Path, Path]:
    clientes_csv = directory / "clientes.csv"
    with clientes_csv.open("w", encoding="cp1252", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow([c.upper() for c in CLIENTE_COLUMNS])
        for row in clientes(n_clientes):
            writer.writerow([row[c] for c in CLIENTE_COLUMNS])
    pacientes_csv = directory / "pacientes.csv"
    with pacientes_csv.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(PACIENTE_COLUMNS)
        for row, notation in pacientes(n_pacientes, n_clientes):
            writer.writerow(
                [
                    documento(row["owner"]),
                    row["nombre"],
                    notation["especie"],
                    row["raza"],
                    notation["sexo"],
                    row["fecha_nacimiento"].strftime("%d/%m/%Y"),
                    row["color"],
                    row["microchip"],
                    "sí" if row["esterilizado"] else "no",
                    str(row["peso_kg"]).replace(".", ","),
                    row["alergias"],
                    row["notas"],
                ]
            )
    return clientes_csv, pacientes_csv


# -- measured steps (each runs in a child process) ---------------------------------------


def copy_clientes(n_clientes: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    columns = (*CLIENTE_COLUMNS, "activo", "creado_en", "actualizado_en")
    sql = f"COPY clientes_cliente ({', '.join(columns)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in clientes(n_clientes):
            copy.write_row([*(row[c] for c in CLIENTE_COLUMNS), True, now, now])


def copy_pacientes(n_clientes: int, n_pacientes: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    fields = ("nombre", "especie", "raza", "sexo", "fecha_nacimiento", "color", "microchip", "esterilizado")
    fields += ("peso_kg", "alergias", "notas")
    columns = (*fields, "propietario_id", "fallecido", "activo", "creado_en", "actualizado_en")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT documento, id FROM clientes_cliente")
        owner_ids = dict(cursor.fetchall())
        with cursor.copy(f"COPY pacientes_paciente ({', '.join(columns)}) FROM STDIN") as copy:
            for row, _notation in pacientes(n_pacientes, n_clientes):
                owner = owner_ids[documento(row["owner"])]
                copy.write_row([*(row[f] for f in fields), owner, False, True, now, now])


def child(step: str, args) -> None:
    import django

    django.setup()
    if step == "copy_clientes":
        copy_clientes(args.clientes)
    elif step == "copy_pacientes":
        copy_pacientes(args.clientes, args.pacientes)
    else:
        raise SystemExit(f"unknown step {step}")


# -- the driver ----------------------------------------------------------------------------


def _peak_rss_kb(pid: int) -> int:
    """VmHWM of a running process: the peak RSS of its own address space, in KiB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    except OSError:
        return 0


def measure(argv: list[str], env: dict) -> dict:
    """Runs argv; returns wall seconds, its own peak RSS (MB), exit code and output.

    The peak is sampled from /proc while the child runs: the child's ru_maxrss would
    also count this parent's resident memory, which Linux carries over into a spawned
    child's rusage, and hide the child's own figure below it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=err)
        peak_kb = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, _peak_rss_kb(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "rss_mb": (peak_kb or usage.ru_maxrss) / 1024,  # KiB on Linux
            "code": process.returncode,
            "stdout": out.read().decode(errors="replace").strip(),
            "stderr": err.read().decode(errors="replace").strip(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clientes", type=int, default=100_000)
    parser.add_argument("--pacientes", type=int, default=150_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (bench/run.py reads them)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetclinic.settings.dev")
    sys.path.insert(0, str(ROOT))
    if args.step:
        child(args.step, args)
        return

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark compares with COPY: set DATABASE_URL to a PostgreSQL database.")
    original_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{test_name}",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",  # Django keeps every query in memory under DEBUG; that is not the importer's memory.
    }
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            clientes_csv, pacientes_csv = write_files(Path(tmp), args.clientes, args.pacientes)
            print(
                f"generated {args.clientes:,} clientes ({clientes_csv.stat().st_size / 1e6:.1f} MB) and "
                f"{args.pacientes:,} pacientes ({pacientes_csv.stat().st_size / 1e6:.1f} MB) "
                f"in {time.perf_counter() - t0:.1f}s",
                flush=True,
            )
            manage = [sys.executable, str(ROOT / "manage.py")]
            me = [sys.executable, str(Path(__file__).resolve()), "--clientes", str(args.clientes)]
            me += ["--pacientes", str(args.pacientes)]
            batch = ["--batch-size", str(args.batch_size)]
            steps = [
                ("clientes", "import", args.clientes, [*manage, "importar_clientes", str(clientes_csv), *batch], True),
                (
                    "pacientes",
                    "import",
                    args.pacientes,
                    [*manage, "importar_pacientes", str(pacientes_csv), *batch],
                    False,
                ),
                ("clientes", "COPY", args.clientes, [*me, "--step", "copy_clientes"], True),
                ("pacientes", "COPY", args.pacientes, [*me, "--step", "copy_pacientes"], False),
            ]
            for table, method, rows, argv, truncate in steps:
                if truncate:
                    with connection.cursor() as cursor:
                        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
                result = measure(argv, env)
                if result["code"] != 0:
                    print(json.dumps(result, indent=2, ensure_ascii=False))
                    raise SystemExit(f"{table} {method} failed")
                results.append((table, method, rows, result))
                summary = result["stdout"].splitlines()[-1] if result["stdout"] else ""
                print(f"  {table:9} {method:6} {result['seconds']:7.1f}s  {summary}", flush=True)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT (SELECT count(*) FROM clientes_cliente), (SELECT count(*) FROM pacientes_paciente)"
                )
                assert cursor.fetchone() == (args.clientes, args.pacientes)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)

    copy_seconds = {table: r["seconds"] for table, method, _rows, r in results if method == "COPY"}
    print()
    print(f"{'table':10} {'method':7} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak RSS MB':>12} {'import/COPY':>12}")
    for table, method, rows, r in results:
        ratio = f"{r['seconds'] / copy_seconds[table]:.1f}x" if method == "import" else ""
        print(
            f"{table:10} {method:7} {rows:>9,} {r['seconds']:>8.2f} {rows / r['seconds']:>9,.0f} "
            f"{r['rss_mb']:>12.0f} {ratio:>12}"
        )
    print("\nTimes are wall-clock per process (Django start-up included); the import also writes the audit rows.")
    if args.json:
        figures = [
            {
                "table": table,
                "method": method,
                "rows": rows,
                "seconds": round(r["seconds"], 3),
                "rows_per_s": round(rows / r["seconds"]),
                "rss_mb": round(r["rss_mb"], 1),
                "share_of_copy": round(copy_seconds[table] / r["seconds"], 3) if method == "import" else None,
            }
            for table, method, rows, r in results
        ]
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
