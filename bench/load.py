"""A small closed-loop HTTP load generator, run in a process of its own.

    python -m bench.load < plan.json > results.json

`plan` is {"runs": [run, ...]}; each run drives its targets with `concurrency` clients, each
sending its next request as soon as the previous answered, for `warmup` + `seconds`, and
counts the requests that complete within the last `seconds` (at most `requests` of them).
No request starts after that window; the ones still open are awaited but not counted.
Requests go round-robin over the run's `urls` ("http://127.0.0.1:PORT/path?query"), so two
servers in one run share the clients. Only loopback addresses are accepted.

A run with `"burst": true` instead opens one connection per request, then sends every
request at once (bookings racing for one slot) and reports each status.

HTTP/1.1 with `Connection: close`: gunicorn's sync workers close after each response, so
a keep-alive client would gain nothing and measure the same thing less plainly.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _request(method: str, url: str, headers: dict, body: bytes | None) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise SystemExit(f"only http://127.0.0.1 targets: {url}")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
    return parts.hostname, parts.port, raw


async def _send(host: str, port: int, raw: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    head, _, payload = response.partition(b"\r\n\r\n")
    return int(head[9:12] or 0), payload


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


async def drive(run: dict) -> dict:
    headers = run.get("headers", {})
    prepared = [_request("GET", url, headers, None) for url in run["urls"]]
    next_request = itertools.cycle(prepared).__next__
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    per_target: dict[str, int] = {}
    errors = 0
    limit = run.get("requests", 10**9)
    started = time.perf_counter()
    measuring_from = started + run.get("warmup", 1.0)
    deadline = measuring_from + run.get("seconds", 10.0)

    async def client():
        nonlocal errors
        while len(latencies) < limit:
            host, port, raw = next_request()
            t0 = time.perf_counter()
            if t0 >= deadline:
                return
            try:
                status, _ = await _send(host, port, raw)
            except OSError:
                errors += 1
                continue
            t1 = time.perf_counter()
            # Counted when it completes inside the window, so that requests slower than the
            # window still show up (a peer's several-second page), with their full latency.
            if measuring_from <= t1 <= deadline:
                latencies.append(t1 - t0)
                statuses[status] = statuses.get(status, 0) + 1
                per_target[f"{host}:{port}"] = per_target.get(f"{host}:{port}", 0) + 1

    # Waits for the requests still open at the deadline (not counted), so that the server is
    # idle again when the next run starts.
    await asyncio.gather(*(client() for _ in range(run["concurrency"])))
    elapsed = min(time.perf_counter(), deadline) - measuring_from
    latencies.sort()
    return {
        "name": run["name"],
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "throughput": round(len(latencies) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "per_target": per_target,
        "connection_errors": errors,
        **({"latencies_ms": [round(x * 1000, 2) for x in latencies]} if run.get("latencies") else {}),
    }


async def burst(run: dict) -> dict:
    """Every request on its own connection, all written at the same moment."""
    requests = [_request("POST", r["url"], r.get("headers", {}), json.dumps(r["body"]).encode()) for r in run["posts"]]
    connections = [await asyncio.open_connection(host, port) for host, port, _ in requests]
    for (_reader, writer), (_, _, raw) in zip(connections, requests, strict=True):
        writer.write(raw)

    async def answer(reader, writer):
        try:
            await writer.drain()
            response = await reader.read()
        finally:
            writer.close()
        head, _, payload = response.partition(b"\r\n\r\n")
        return int(head[9:12] or 0), payload.decode(errors="replace")[:300]

    answers = await asyncio.gather(*(answer(r, w) for r, w in connections))
    return {
        "name": run["name"],
        "statuses": [status for status, _ in answers],
        "bodies": [body for _, body in answers],
        "urls": [r["url"] for r in run["posts"]],
    }


async def main_async(plan: dict) -> list[dict]:
    results = []
    for run in plan["runs"]:
        results.append(await (burst(run) if run.get("burst") else drive(run)))
        print(json.dumps({"progress": results[-1]["name"]}), file=sys.stderr, flush=True)
    return results


def main() -> None:
    plan = json.load(sys.stdin)
    json.dump({"results": asyncio.run(main_async(plan))}, sys.stdout)


if __name__ == "__main__":
    main()
