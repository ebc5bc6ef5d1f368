"""The outbox's cost: `python bench/eventos.py` (PostgreSQL in DATABASE_URL, a database of its
own, e.g. postgres://postgres@127.0.0.1:5432/vetclinic_bench_eventos; it is migrated).

1. Booking overhead: the same bookings (`citas.services.cita_create`, one transaction each)
   with the outbox recorder on and off, interleaved in rounds; the answer is the extra time per
   booking (the event's representation, the commit-order lock, the insert, the webhook lookup).
2. Feed reads: `GET /api/v1/eventos/?paginacion=cursor&despues_de=ID&page_size=100` at the start,
   the middle and the end of a feed of `--eventos` events (the read must cost the same at any
   depth: a keyset scan of the primary key).

Prints a table and writes the figures to bench/results/eventos-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetclinic.settings.dev")
os.environ.setdefault("DEBUG", "false")


def setup():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def booking_overhead(bookings: int, rounds: int) -> dict:
    from django.utils import timezone

    from accounts.models import Rol, User
    from citas.models import Cita
    from citas.services import cita_create
    from clientes.models import Cliente
    from core import events
    from integraciones import outbox
    from pacientes.models import Paciente

    admin, _ = User.objects.get_or_create(email="bench-admin@bench.invalid", defaults={"rol": Rol.ADMIN})
    vet, _ = User.objects.get_or_create(email="bench-vet@bench.invalid", defaults={"rol": Rol.VETERINARIO})
    cliente, _ = Cliente.objects.get_or_create(
        documento="BENCH0001", defaults={"nombre": "B", "apellidos": "B", "telefono": "+34600000000"}
    )
    paciente, _ = Paciente.objects.get_or_create(nombre="Bench", propietario=cliente, defaults={"especie": "perro"})
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=400)
    slot = 0
    timings = {"con_outbox": [], "sin_outbox": []}
    for _round in range(rounds):
        for mode in ("con_outbox", "sin_outbox"):
            saved = list(events._recorders)
            if mode == "sin_outbox":
                events._recorders.remove(outbox.registrar_evento)
            try:
                for _ in range(bookings):
                    inicio = start + datetime.timedelta(minutes=30 * slot)
                    slot += 1
                    began = time.perf_counter()
                    cita_create(actor=admin, paciente=paciente, veterinario=vet, inicio=inicio, motivo="bench")
                    timings[mode].append((time.perf_counter() - began) * 1000)
            finally:
                events._recorders[:] = saved
    Cita.objects.filter(paciente=paciente, motivo="bench").delete()
    con, sin = (statistics.median(timings[m]) for m in ("con_outbox", "sin_outbox"))
    return {
        "bookings": len(timings["con_outbox"]),
        "median_ms_con": con,
        "median_ms_sin": sin,
        "overhead_ms": con - sin,
    }


def feed_reads(total: int, reads: int) -> list[dict]:
    from rest_framework.test import APIClient

    from accounts.models import User
    from integraciones.models import Evento

    have = Evento.objects.count()
    batch = 5000
    while have < total:
        size = min(batch, total - have)
        Evento.objects.bulk_create(
            [Evento(tipo="cliente.actualizado", objeto_id=n, datos={"id": n, "nombre": "x" * 40}) for n in range(size)]
        )
        have += size
    ids = list(Evento.objects.order_by("id").values_list("id", flat=True)[:: max(1, total // 100)])
    api = APIClient(HTTP_HOST="localhost")  # one of the default ALLOWED_HOSTS
    api.force_authenticate(User.objects.get(email="bench-admin@bench.invalid"))
    rows = []
    for label, after in (("start", 0), ("middle", ids[len(ids) // 2]), ("end", ids[-2])):
        times = []
        for _ in range(reads):
            began = time.perf_counter()
            response = api.get("/api/v1/eventos/", {"paginacion": "cursor", "despues_de": after, "page_size": 100})
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.content[:200]
        rows.append(
            {
                "depth": label,
                "despues_de": after,
                "median_ms": statistics.median(times),
                "p95_ms": sorted(times)[int(0.95 * len(times)) - 1],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bookings", type=int, default=50, help="bookings per mode and round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--eventos", type=int, default=200_000, help="size of the feed read")
    parser.add_argument("--reads", type=int, default=50, help="reads per depth")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database of the benchmark's own")
    setup()
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": vars(args),
        "booking": booking_overhead(args.bookings, args.rounds),
        "feed": feed_reads(args.eventos, args.reads),
    }
    b = result["booking"]
    print(f"booking: {b['median_ms_sin']:.2f} ms without the outbox, {b['median_ms_con']:.2f} ms with it "
          f"(+{b['overhead_ms']:.2f} ms, {b['bookings']} bookings each)")  # fmt: skip
    for row in result["feed"]:
        print(
            f"feed page of 100 at the {row['depth']:>6}: median {row['median_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"eventos-{result['when'].replace(':', '')}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
