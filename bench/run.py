"""VetClinic benchmark: `make bench` (or `python bench/run.py --help`).

One run, on this machine, with PostgreSQL on loopback:

1. creates the database `vetclinic_bench` (its own; `--reuse-data` keeps a previous one),
   migrates it and generates a clinic chain inside PostgreSQL (100k clientes, 150k pacientes,
   1M citas over three years, 300k consultas, 400k vacunas at `--scale 1`);
2. starts the app under gunicorn on 127.0.0.1 (vetclinic.settings.bench: production settings
   whose URLconf adds the floor and peer views of bench/views.py next to the API; a private
   Redis for the throttle counters when `redis-server` is installed);
3. drives the API, the floor and the peer of each measured endpoint in interleaved rounds
   from a separate load process (bench/load.py, `--concurrency` clients);
4. counts the queries of every list endpoint at page sizes 1, 20 and 100;
5. deep pages of the unfiltered citas: page 1 against page 5,000 (page mode, OFFSET) and
   cursor page 1 against cursor page 10,000 (keyset; the goal: within 1.5x of the first);
6. scale-out: a second gunicorn on another port, both driven at once, then a burst of
   concurrent bookings of one slot split across both (exactly one must win);
7. import rows/s and peak memory against COPY (bench/import_bench.py), at two file sizes;

then prints a table and writes everything as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PAGE_SIZES = (1, 20, 100)
SETTINGS_REPORTED = ("scale", "concurrency", "seconds", "rounds", "warmup", "requests", "workers", "only")
LIST_ENDPOINTS = ("pacientes", "pacientes search", "pacientes filter", "citas?fecha")
GOALS = {
    "api_floor_max": 2.0,
    "ours_peer_min": 5.0,
    "p99_ms_max": 100.0,
    "import_copy_min": 0.25,
    "cursor_deep_max": 1.5,
}
# Deep pages of the unfiltered citas list, 20 rows a page (fewer on a smaller dataset: the
# deepest full page there is).
DEEP_PAGE, DEEP_CURSOR_PAGE, DEEP_PAGE_SIZE = 5_000, 10_000, 20


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within {timeout:.0f}s")
        time.sleep(0.3)


def http_json(method: str, url: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


# --- environment ---------------------------------------------------------------------------


def server_environment(args, database_url: str, redis_url: str) -> dict:
    """Production settings, loopback hosts, and ceilings high enough not to throttle the load."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vetclinic.settings.bench",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "USER_RATE": "100000/s",
        "ANON_RATE": "100000/s",
        "LOGIN_RATE": "100000/min",
        "LOGIN_IP_RATE": "100000/min",
        "ACCESS_TOKEN_MINUTES": "240",
        "LOG_LEVEL": "WARNING",
        # No collectstatic for an API benchmark: silence WhiteNoise's missing STATIC_ROOT warning.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    env.pop("VETCLINIC_PROCESS", None)  # the servers are web processes: DB_STATEMENT_TIMEOUT_MS
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def ensure_database(base_url: str, name: str, *, reuse: bool) -> bool:
    """Creates `name` (dropping a previous benchmark database of that name unless reused).
    Returns True when an existing database is kept."""
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return True
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return False


class Processes:
    """Child servers, stopped (by their own pid) whatever happens."""

    def __init__(self):
        self.children: list[subprocess.Popen] = []

    def start(self, argv, *, env, log_path: Path) -> subprocess.Popen:
        handle = log_path.open("ab")
        child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        self.children.append(child)
        return child

    def stop(self, child: subprocess.Popen) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def stop_all(self) -> None:
        for child in reversed(self.children):
            self.stop(child)


def start_gunicorn(processes: Processes, env: dict, port: int, workers: int, log_path: Path):
    argv = [str(Path(sys.executable).parent / "gunicorn"), "vetclinic.wsgi", "--workers", str(workers)]
    argv += ["--bind", f"127.0.0.1:{port}", "--backlog", "512", "--graceful-timeout", "5"]
    child = processes.start(argv, env=env, log_path=log_path)
    wait_http(f"http://127.0.0.1:{port}/health/")
    return child


# --- load -----------------------------------------------------------------------------------


def run_load(runs: list[dict]) -> list[dict]:
    """Runs the plan in a separate process (bench/load.py) and returns its results."""
    plan = json.dumps({"runs": runs}).encode()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.load"], input=plan, capture_output=True, cwd=ROOT, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"load generator failed:\n{completed.stderr.decode()}")
    return json.loads(completed.stdout)["results"]


def endpoints(params: dict) -> list[tuple[str, str, str, str]]:
    """(name, api path, floor path, peer path): the measured endpoints."""
    fecha, search, pacientes, vet_ids = params["fecha"], params["search"], params["pacientes"], params["vets"]
    lista = "page_size=100"
    rows = [
        (
            "pacientes",
            f"/api/v1/pacientes/?{lista}",
            f"/bench/floor/pacientes/?{lista}",
            f"/bench/peer/pacientes/?{lista}",
        ),
        (
            "pacientes search",
            f"/api/v1/pacientes/?{lista}&search={search}",
            f"/bench/floor/pacientes/?{lista}&search={search}",
            f"/bench/peer/pacientes/?{lista}&search={search}",
        ),
        (
            "pacientes filter",
            f"/api/v1/pacientes/?{lista}&especie=gato&fallecido=false",
            f"/bench/floor/pacientes/?{lista}&especie=gato&fallecido=false",
            f"/bench/peer/pacientes/?{lista}&especie=gato&fallecido=false",
        ),
        (
            "citas?fecha",
            f"/api/v1/citas/?{lista}&fecha={fecha}",
            f"/bench/floor/citas/?{lista}&fecha={fecha}",
            f"/bench/peer/citas/?{lista}&fecha={fecha}",
        ),
    ]
    historial = [f"/{{kind}}pacientes/{pk}/historial/" for pk in pacientes]
    disponibilidad = [f"/{{kind}}citas/disponibilidad/?veterinario={v}&fecha={fecha}&duracion=30" for v in vet_ids]
    rows.append(("historial", historial, historial, historial))
    rows.append(("disponibilidad", disponibilidad, disponibilidad, disponibilidad))
    return rows


def measured(args, params: dict) -> list[tuple[str, str, str, str]]:
    """The endpoints this run measures: all, or those named by `--only`."""
    rows = endpoints(params)
    if args.only:
        unknown = set(args.only) - {name for name, *_ in rows}
        if unknown:
            raise SystemExit(f"--only: no endpoint named {', '.join(sorted(unknown))}")
        rows = [row for row in rows if row[0] in args.only]
    return rows


def api_paths(rows: list[tuple[str, str, str, str]]) -> list[str]:
    """One API path per measured endpoint (the first of a rotation)."""
    return [expand(path, "api")[0] for _name, path, _floor, _peer in rows]


def expand(path, kind: str) -> list[str]:
    prefix = {"api": "api/v1/", "floor": "bench/floor/", "peer": "bench/peer/"}[kind]
    if isinstance(path, list):
        return [p.format(kind=prefix) for p in path]
    return [path]


def merge(rounds: list[dict]) -> dict:
    """One figure from several rounds of the same run: requests over seconds, and the
    percentiles of every latency measured."""
    from bench.load import percentile

    latencies = sorted(ms for r in rounds for ms in r.pop("latencies_ms"))
    seconds = sum(r["seconds"] for r in rounds)
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "throughput": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "statuses": statuses,
        "rounds_throughput": [r["throughput"] for r in rounds],
        "connection_errors": sum(r["connection_errors"] for r in rounds),
    }


def measure_endpoints(args, port: int, token: str, params: dict) -> list[dict]:
    """Every endpoint x {api, floor, peer}, in `--rounds` interleaved rounds, so that a burst
    of load from elsewhere on the machine hits the three variants alike."""
    runs = []
    for round_ in range(args.rounds):
        for name, *paths in measured(args, params):
            for kind, path in zip(("api", "floor", "peer"), paths, strict=True):
                runs.append(
                    {
                        "name": f"{name}|{kind}|{round_}",
                        "urls": [f"http://127.0.0.1:{port}{p}" for p in expand(path, kind)],
                        "headers": {"Authorization": f"Bearer {token}"},
                        "concurrency": args.concurrency,
                        "seconds": args.seconds / args.rounds,
                        "requests": args.requests,
                        "warmup": args.warmup,
                        "latencies": True,
                    }
                )
    log(f"driving {len(runs)} runs ({args.rounds} rounds, {args.seconds:g}s a variant), {args.concurrency} clients …")
    results = run_load(runs)
    rows = []
    for name, *_ in measured(args, params):
        by_kind = {
            kind: merge([r for r in results if r["name"].startswith(f"{name}|{kind}|")])
            for kind in ("api", "floor", "peer")
        }
        api, floor, peer = by_kind["api"], by_kind["floor"], by_kind["peer"]
        rows.append(
            {
                "endpoint": name,
                "api": api,
                "floor": floor,
                "peer": peer,
                "api_floor_p50": round(api["p50_ms"] / floor["p50_ms"], 2) if floor["p50_ms"] else None,
                "ours_peer_throughput": round(api["throughput"] / peer["throughput"], 2)
                if peer["throughput"]
                else None,
            }
        )
    return rows


# --- queries per request ---------------------------------------------------------------------


def list_endpoints() -> list[str]:
    from drf_spectacular.generators import EndpointEnumerator

    return sorted(
        {
            path
            for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
            if method == "GET" and path.startswith("/api/v1/") and getattr(callback, "actions", {}).get("get") == "list"
        }
    )


def count_queries(admin) -> list[dict]:
    """Queries one request runs, for every list endpoint at each page size (Django's test
    client in this process, on the generated data)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import RefreshToken

    from clientes.models import Cliente

    client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(admin).access_token}")
    cliente = Cliente.objects.filter(pacientes__isnull=False).order_by("pk").values_list("pk", flat=True).first()
    rows = []
    for path in list_endpoints():
        url = path.replace("{cliente_pk}", str(cliente)).replace("{cliente}", str(cliente))
        counts = []
        for page_size in PAGE_SIZES:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {"page_size": page_size})
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code} {response.content[:200]!r}")
            counts.append(len(queries))
        rows.append({"endpoint": path, **{f"page_size_{n}": c for n, c in zip(PAGE_SIZES, counts, strict=True)}})
    return rows


# --- deep pages --------------------------------------------------------------------------------


def deep_page_paths() -> list[dict]:
    """The citas list at its first page and deep in, in both modes. The deep cursor is the one a
    client walking from the first page would hold there: built for the last row of the page
    before (its id), as `next` would carry it; reaching it by walking would take 10,000 requests."""
    from api.pagination import CursorPagination
    from citas.models import Cita

    rows = Cita.objects.count()
    full_pages = max(2, rows // DEEP_PAGE_SIZE)
    page, cursor_page = min(DEEP_PAGE, full_pages), min(DEEP_CURSOR_PAGE, full_pages)
    before = Cita.objects.order_by("id").values_list("id", flat=True)[(cursor_page - 1) * DEEP_PAGE_SIZE - 1]
    token = CursorPagination.cursor_token("id", [before])
    base = f"/api/v1/citas/?page_size={DEEP_PAGE_SIZE}"
    cursor = f"{base}&paginacion=cursor"
    return [
        {"name": "citas page 1", "mode": "page", "depth": 1, "path": base},
        {"name": f"citas page {page:,}", "mode": "page", "depth": page, "path": f"{base}&page={page}"},
        {"name": "citas cursor 1", "mode": "cursor", "depth": 1, "path": cursor},
        {
            "name": f"citas cursor {cursor_page:,}",
            "mode": "cursor",
            "depth": cursor_page,
            "path": f"{cursor}&cursor={urllib.parse.quote(token)}",
        },
    ]


def deep_pages(args, port: int, token: str, paths: list[dict]) -> dict:
    """Each of `paths` driven in `--rounds` interleaved rounds, as the endpoints are; the
    deep page of each mode against its first page (p50 latency and SQL time)."""
    runs = [
        {
            "name": f"{item['name']}|{round_}",
            "urls": [f"http://127.0.0.1:{port}{item['path']}"],
            "headers": {"Authorization": f"Bearer {token}"},
            "concurrency": args.concurrency,
            "seconds": args.seconds / args.rounds,
            "requests": args.requests,
            "warmup": args.warmup,
            "latencies": True,
        }
        for round_ in range(args.rounds)
        for item in paths
    ]
    log(f"deep pages: {len(runs)} runs …")
    results = run_load(runs)
    rows = [{**item, **merge([r for r in results if r["name"].startswith(f"{item['name']}|")])} for item in paths]

    def ratio(deep, first, key):
        return round(deep[key] / first[key], 2) if first[key] else None

    first_page, deep_page, first_cursor, deep_cursor = rows
    return {
        "rows": rows,
        "page_deep_vs_first_p50": ratio(deep_page, first_page, "p50_ms"),
        "cursor_deep_vs_first_p50": ratio(deep_cursor, first_cursor, "p50_ms"),
    }


# --- scale-out ---------------------------------------------------------------------------------


def scale_out(args, ports: list[int], token: str, params: dict) -> dict:
    """Both servers driven at once, then one slot booked concurrently through both."""
    from citas.models import ESTADOS_ACTIVOS, Cita

    urls = [f"http://127.0.0.1:{port}/api/v1/pacientes/?page_size=20&especie=perro" for port in ports]
    single = run_load(
        [
            {
                "name": "one server",
                "urls": urls[:1],
                "headers": {"Authorization": f"Bearer {token}"},
                "concurrency": args.concurrency,
                "seconds": args.seconds,
                "warmup": args.warmup,
            },
            {
                "name": "two servers",
                "urls": urls,
                "headers": {"Authorization": f"Bearer {token}"},
                "concurrency": args.concurrency,
                "seconds": args.seconds,
                "warmup": args.warmup,
            },
        ]
    )
    slot = params["free_slot"]
    posts = [
        {
            "url": f"http://127.0.0.1:{ports[i % len(ports)]}/api/v1/citas/",
            "headers": {"Authorization": f"Bearer {token}"},
            "body": {
                "paciente": paciente,
                "veterinario": params["booking_vet"],
                "inicio": slot.isoformat(),
                "duracion_minutos": 30,
                "motivo": "Reserva concurrente (benchmark)",
            },
        }
        for i, paciente in enumerate(params["booking_pacientes"])
    ]
    burst = run_load([{"name": "bookings", "burst": True, "posts": posts}])[0]
    statuses = burst["statuses"]
    stored = Cita.objects.filter(veterinario=params["booking_vet"], inicio=slot, estado__in=ESTADOS_ACTIVOS).count()
    return {
        "one_server": single[0],
        "two_servers": single[1],
        "bookings": {
            "requests": len(statuses),
            "created_201": statuses.count(201),
            "conflict_409": statuses.count(409),
            "other": sorted(s for s in statuses if s not in (201, 409)),
            "by_server": {
                str(port): sorted(s for s, url in zip(statuses, burst["urls"], strict=True) if f":{port}/" in url)
                for port in ports
            },
            "citas_stored": stored,
            "answers": sorted(set(burst["bodies"])),
            "ok": statuses.count(201) == 1 and statuses.count(409) == len(statuses) - 1 and stored == 1,
        },
    }


# --- import --------------------------------------------------------------------------------------


def import_benchmark(args, base_url: str) -> list[dict]:
    """bench/import_bench.py at full size and at a tenth, to see whether memory follows file size."""
    runs = []
    for fraction in (0.1, 1.0):
        clientes = max(100, round(100_000 * args.scale * fraction))
        pacientes = max(150, round(150_000 * args.scale * fraction))
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            argv = [sys.executable, str(ROOT / "bench" / "import_bench.py"), "--clientes", str(clientes)]
            argv += ["--pacientes", str(pacientes), "--json", out.name]
            env = {**os.environ, "DATABASE_URL": f"{base_url}/{args.db_name}_import", "PYTHONPATH": str(ROOT)}
            env["DJANGO_SETTINGS_MODULE"] = "vetclinic.settings.dev"
            log(f"import benchmark: {clientes:,} clientes + {pacientes:,} pacientes …")
            completed = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
            if completed.returncode != 0:
                raise SystemExit(f"import benchmark failed:\n{completed.stdout}\n{completed.stderr}")
            runs.extend({"file_fraction": fraction, **row} for row in json.loads(Path(out.name).read_text()))
    return runs


# --- report --------------------------------------------------------------------------------------


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    return "\n".join(lines)


def _fmt(value, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def report(result: dict) -> str:
    settings, machine = result["settings"], result["machine"]
    load = [f"{machine[k][0]:.1f}" for k in ("load_avg_start", "load_avg_end") if k in machine]
    out = [
        f"{result['when']}: scale {settings['scale']:g}, {settings['concurrency']} clients, "
        f"{settings['workers']} gunicorn workers, {machine['cpus']} CPUs, load average {' -> '.join(load)}, "
        f"throttle counters in {result['throttle_cache']}",
        "",
    ]
    rows = []
    for row in result["endpoints"]:
        api, floor, peer = row["api"], row["floor"], row["peer"]
        rows.append(
            [
                row["endpoint"],
                f"{api['throughput']:.0f}",
                f"{api['p50_ms']:.0f}",
                f"{api['p99_ms']:.0f}",
                f"{floor['throughput']:.0f}",
                f"{floor['p50_ms']:.0f}",
                f"{peer['throughput']:.0f}",
                f"{peer['p50_ms']:.0f}",
                _fmt(row["api_floor_p50"], ".2f"),
                _fmt(row["ours_peer_throughput"], ".1f"),
                f"{row['db_ms']:.1f}",
                "" if api["statuses"].keys() <= {"200"} else json.dumps(api["statuses"]),
            ]
        )
    header = ["endpoint", "API req/s", "p50 ms", "p99 ms", "floor req/s", "p50 ms", "peer req/s", "p50 ms"]
    header += ["API/floor p50", "ours/peer req/s", "SQL ms", "non-200"]
    out.append(table(rows, header))
    out.append("")
    queries = result["queries"]
    out.append(
        table(
            [[q["endpoint"], *(q[f"page_size_{n}"] for n in PAGE_SIZES)] for q in queries],
            ["queries per request", *(f"page_size={n}" for n in PAGE_SIZES)],
        )
    )
    if result.get("deep_pages"):
        deep = result["deep_pages"]
        out.append("")
        out.append(
            table(
                [
                    [
                        r["name"],
                        r["mode"],
                        f"{r['depth']:,}",
                        f"{r['throughput']:.0f}",
                        f"{r['p50_ms']:.0f}",
                        f"{r['p99_ms']:.0f}",
                        f"{r['db_ms']:.2f}",
                        "" if r["statuses"].keys() <= {"200"} else json.dumps(r["statuses"]),
                    ]
                    for r in deep["rows"]
                ],
                ["deep pages (citas, 20 a page)", "mode", "page", "req/s", "p50 ms", "p99 ms", "SQL ms", "non-200"],
            )
        )
        out.append(
            f"deep page / first page, p50: page mode {_fmt(deep['page_deep_vs_first_p50'], '.2f')}x, "
            f"cursor mode {_fmt(deep['cursor_deep_vs_first_p50'], '.2f')}x"
        )
    if result.get("scale_out"):
        s = result["scale_out"]
        out.append("")
        out.append(
            table(
                [
                    [
                        name,
                        f"{r['throughput']:.0f}",
                        f"{r['p50_ms']:.0f}",
                        f"{r['p99_ms']:.0f}",
                        json.dumps(r["per_target"]),
                    ]
                    for name, r in (("one server", s["one_server"]), ("two servers", s["two_servers"]))
                ],
                ["scale-out (pacientes?especie)", "req/s", "p50 ms", "p99 ms", "requests per server"],
            )
        )
        b = s["bookings"]
        out.append(
            f"concurrent bookings of one slot: {b['requests']} requests over {len(b['by_server'])} servers -> "
            f"{b['created_201']} x 201, {b['conflict_409']} x 409, other {b['other']}; "
            f"citas stored: {b['citas_stored']} -> {'OK' if b['ok'] else 'FAILED'}"
        )
    if result.get("import"):
        out.append("")
        rows = [
            [
                f"{r['table']} x{r['file_fraction']:g}",
                r["method"],
                f"{r['rows']:,}",
                f"{r['seconds']:.1f}",
                f"{r['rows_per_s']:,.0f}",
                f"{r['rss_mb']:.0f}",
                f"{r['share_of_copy']:.0%}" if r.get("share_of_copy") else "",
            ]
            for r in result["import"]
        ]
        out.append(table(rows, ["import", "method", "rows", "seconds", "rows/s", "peak RSS MB", "% of COPY rows/s"]))
    out.append("")
    out.append(table(goals(result), ["goal", "target", "measured", "met"]))
    return "\n".join(out)


def goals(result: dict) -> list[list[str]]:
    """The issue's goals against this run's figures, one row each."""
    rows = []
    for row in result["endpoints"]:
        if row["endpoint"] in LIST_ENDPOINTS:
            ratio = row["api_floor_p50"]
            met = ratio is not None and ratio <= GOALS["api_floor_max"]
            rows.append(
                [f"{row['endpoint']}: API/floor p50", f"<= {GOALS['api_floor_max']:g}x", _fmt(ratio, ".2f"), met]
            )
            ratio = row["ours_peer_throughput"]
            met = ratio is not None and ratio >= GOALS["ours_peer_min"]
            rows.append(
                [f"{row['endpoint']}: ours/peer req/s", f">= {GOALS['ours_peer_min']:g}x", _fmt(ratio, ".1f"), met]
            )
        p99 = row["api"]["p99_ms"]
        rows.append(
            [f"{row['endpoint']}: API p99", f"< {GOALS['p99_ms_max']:g} ms", f"{p99:.0f} ms", p99 < GOALS["p99_ms_max"]]
        )
    if result.get("deep_pages"):
        deep = result["deep_pages"]
        ratio = deep["cursor_deep_vs_first_p50"]
        depth = deep["rows"][3]["depth"]
        rows.append(
            [
                f"citas: cursor page {depth:,} vs cursor page 1, p50",
                f"<= {GOALS['cursor_deep_max']:g}x",
                _fmt(ratio, ".2f"),
                ratio is not None and ratio <= GOALS["cursor_deep_max"],
            ]
        )
    full = [r for r in result.get("import", []) if r["method"] == "import" and r["file_fraction"] == 1.0]
    for r in full:
        share = r["share_of_copy"]
        rows.append(
            [
                f"import {r['table']}: rows/s vs COPY",
                f">= {GOALS['import_copy_min']:.0%}",
                f"{share:.0%}",
                share >= 0.25,
            ]
        )
    for table_name in {r["table"] for r in full}:
        rss = {
            r["file_fraction"]: r["rss_mb"]
            for r in result["import"]
            if r["table"] == table_name and r["method"] == "import"
        }
        if len(rss) == 2:
            flat = rss[1.0] <= rss[0.1] * 1.2
            rows.append(
                [f"import {table_name}: peak RSS, 10x the rows", "flat", f"{rss[0.1]:.0f} -> {rss[1.0]:.0f} MB", flat]
            )
    return [[*r[:3], "yes" if r[3] else "NO"] for r in rows]


# --- main ----------------------------------------------------------------------------------------


def pick_params(sizes, today: datetime.date) -> dict:
    """A busy future weekday, some pacientes and vets, and a free slot to fight over."""
    from django.utils import timezone

    from accounts.selectors import veterinarios
    from citas.models import Cita
    from pacientes.models import Paciente

    fecha = today + datetime.timedelta(days=14)
    while fecha.weekday() != 1:  # a Tuesday: a full working day
        fecha += datetime.timedelta(days=1)
    vets = list(veterinarios(solo_activos=False).order_by("pk").values_list("pk", flat=True))
    step = max(1, sizes.pacientes // 50)
    pacientes = list(range(1, sizes.pacientes + 1, step))[:50]
    # The lunch gap (13:00) of a weekday past the generated year: nobody holds it.
    last = Cita.objects.order_by("-inicio").values_list("inicio", flat=True).first()
    day = max(timezone.localtime(last).date(), today) + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    free_slot = datetime.datetime.combine(day, datetime.time(13, 0), tzinfo=timezone.get_current_timezone())
    bookable = Paciente.objects.filter(activo=True, fallecido=False).order_by("pk").values_list("pk", flat=True)
    return {
        "fecha": fecha.isoformat(),
        "search": "luna",
        "pacientes": pacientes,
        "vets": vets[:20],
        "free_slot": free_slot,
        "booking_vet": vets[0],
        "booking_pacientes": list(bookable[:20]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size relative to the full chain (1.0)")
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL, without a database name (env BENCH_DATABASE)",
    )
    parser.add_argument("--db-name", default="vetclinic_bench", help="the benchmark's own database (recreated)")
    parser.add_argument("--reuse-data", action="store_true", help="keep an existing benchmark database")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per endpoint and variant")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds the measured seconds are split in")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds at the start of each run")
    parser.add_argument("--requests", type=int, default=5000, help="most measured requests per run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers a server")
    parser.add_argument("--data-only", action="store_true", help="create and fill the database, measure nothing")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the measured endpoints, stop")
    parser.add_argument(
        "--only",
        type=lambda v: [n.strip() for n in v.split(",") if n.strip()],
        default=[],
        help='measure only these endpoints, comma-separated (e.g. "pacientes,citas?fecha")',
    )
    parser.add_argument("--skip-import", action="store_true", help="no import-vs-COPY figures")
    parser.add_argument("--skip-scale-out", action="store_true", help="no second server, no booking burst")
    parser.add_argument("--skip-deep-pages", action="store_true", help="no deep-page figures (page and cursor mode)")
    args = parser.parse_args()

    base_url = args.database.rstrip("/")
    database_url = f"{base_url}/{args.db_name}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    server_log = RESULTS / f"servers-{stamp}.log"
    processes = Processes()
    try:
        redis_url = ""
        if shutil.which("redis-server"):
            redis_port = free_port()
            processes.start(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                env=os.environ,
                log_path=server_log,
            )
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
        env = server_environment(args, database_url, redis_url)
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
        # This driver and the import benchmark load millions of rows: they are commands, under
        # DB_COMMAND_STATEMENT_TIMEOUT_MS, not the web's statement timeout (as manage.py marks them).
        os.environ["VETCLINIC_PROCESS"] = "command"
        sys.path.insert(0, str(ROOT))
        import django

        # The driver serves no static files; WhiteNoise's warning about STATIC_ROOT is noise here.
        warnings.filterwarnings("ignore", message="No directory at")
        kept = ensure_database(base_url, args.db_name, reuse=args.reuse_data)
        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from accounts.models import User
        from bench import dataset
        from bench.explain import explain
        from bench.explain import render as render_plans

        sizes = dataset.Sizes.at_scale(args.scale)
        timings = {}
        call_command("migrate", verbosity=0)
        if not (kept and User.objects.filter(email=dataset.ADMIN_EMAIL).exists()):
            if kept:
                raise SystemExit(f"{args.db_name} holds no benchmark data: run without --reuse-data")
            log(f"generating the dataset at scale {args.scale:g} ({sizes.veterinarios} veterinarios) …")
            started = time.perf_counter()
            timings = dataset.generate(connection, sizes, tz=settings.TIME_ZONE, log=log)
            timings["total"] = time.perf_counter() - started
            log(f"dataset ready in {timings['total']:.0f}s")
        else:
            log(f"reusing the data in {args.db_name}")
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM citas_cita WHERE motivo = 'Reserva concurrente (benchmark)'")
        if args.data_only:
            return
        admin = User.objects.get(email=dataset.ADMIN_EMAIL)
        params = pick_params(sizes, datetime.date.today())
        plans = explain(api_paths(measured(args, params)), admin)
        if args.explain:
            log(render_plans(plans))
            return

        port = free_port()
        log(f"gunicorn, {args.workers} workers, on 127.0.0.1:{port} (log: {server_log.relative_to(ROOT)})")
        start_gunicorn(processes, env, port, args.workers, server_log)
        token = http_json(
            "POST",
            f"http://127.0.0.1:{port}/api/v1/auth/token/",
            {"email": dataset.ADMIN_EMAIL, "password": dataset.BENCH_PASSWORD},
        )["access"]

        result = {
            "when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_start": os.getloadavg()},
            "settings": {k: getattr(args, k) for k in SETTINGS_REPORTED},
            "throttle_cache": "redis" if redis_url else "database",
            "sizes": sizes.__dict__ | {"veterinarios": sizes.veterinarios},
            "dataset_seconds": timings,
            "goals": GOALS,
        }
        result["endpoints"] = measure_endpoints(args, port, token, params)
        for row, plan in zip(result["endpoints"], plans, strict=True):
            row["db_ms"] = plan["db_ms"]
            row["queries"] = len(plan["queries"])
        result["plans"] = plans
        log("counting queries per request …")
        result["queries"] = count_queries(admin)
        if not args.skip_deep_pages:
            paths = deep_page_paths()
            result["deep_pages"] = deep_pages(args, port, token, paths)
            for row, plan in zip(result["deep_pages"]["rows"], explain([p["path"] for p in paths], admin), strict=True):
                row["db_ms"] = plan["db_ms"]
                row["plans"] = plan["queries"]
        if not args.skip_scale_out:
            second = free_port()
            log(f"scale-out: a second gunicorn on 127.0.0.1:{second} …")
            start_gunicorn(processes, env, second, args.workers, server_log)
            result["scale_out"] = scale_out(args, [port, second], token, {**params})
        processes.stop_all()
        result["machine"]["load_avg_end"] = os.getloadavg()
        if not args.skip_import:
            result["import"] = import_benchmark(args, base_url)
    finally:
        processes.stop_all()

    text = report(result)
    log("\n" + text)
    params["free_slot"] = params["free_slot"].isoformat()
    result["params"] = params
    result["table"] = text
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    log(f"\nwritten to {(RESULTS / f'bench-{stamp}.json').relative_to(ROOT)} (and latest.json)")


if __name__ == "__main__":
    main()
