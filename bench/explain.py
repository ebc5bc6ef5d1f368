"""EXPLAIN ANALYZE of every query the measured API endpoints run, on the generated data.

python bench/run.py --reuse-data --explain   (prints the plans; they are also in the JSON)
"""

from __future__ import annotations


def explain(paths: list[str], admin) -> list[dict]:
    """For each path: its queries, each with the plan PostgreSQL chose and its execution time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import RefreshToken

    client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(admin).access_token}")
    report = []
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:200])
        queries = []
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
                execution = next((line for line in plan if line.startswith("Execution Time")), "")
                queries.append({"sql": sql, "plan": plan, "execution_ms": float(execution.split()[2] or 0)})
        report.append({"path": path, "queries": queries, "db_ms": round(sum(q["execution_ms"] for q in queries), 2)})
    return report


def render(report: list[dict]) -> str:
    lines = []
    for item in report:
        lines.append(f"== {item['path']}  ({len(item['queries'])} queries, {item['db_ms']:.1f} ms in PostgreSQL)")
        for query in item["queries"]:
            lines.append(f"-- {query['execution_ms']:.2f} ms: {query['sql'][:300]}")
            lines.extend(f"   {line}" for line in query["plan"])
    return "\n".join(lines)
