"""In-process timings: each case through Django's test Client (the whole request: middleware,
auth, selector, serialisation), and its yardstick as raw SQL on the same connection."""

import statistics
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client

from bench.cases import Case


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)  # milliseconds

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def max(self) -> float:
        return max(self.samples) if self.samples else float("nan")


@dataclass
class CaseResult:
    case: Case
    server: Timing
    yardstick: Timing
    queries: int
    errors: list[str]


def client_for(user, token: str, html: bool) -> Client:
    if html:
        client = Client()
        client.force_login(user)
        return client
    return Client(headers={"authorization": f"Bearer {token}"})


def run_case(
    case: Case, client: Client, *, iterations: int, warmup: int, time_limit: float
) -> CaseResult:
    errors: list[str] = []
    for name, value in case.cookies.items():
        client.cookies[name] = value
    n_paths = len(case.paths)
    for i in range(warmup):
        client.get(case.paths[i % n_paths])
    captured = []

    def count(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    # Django resets connection.queries at each request start, so count with a wrapper instead.
    with connection.execute_wrapper(count):
        response = client.get(case.paths[0])
    if response.status_code != 200:
        errors.append(f"{case.paths[0]} → {response.status_code}: {response.content[:200]!r}")
    server = Timing()
    deadline = time.perf_counter() + time_limit
    for i in range(iterations):
        path = case.paths[i % n_paths]
        t0 = time.perf_counter()
        response = client.get(path)
        server.samples.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200 and len(errors) < 3:
            errors.append(f"{path} → {response.status_code}")
        if time.perf_counter() > deadline and i >= 10:
            break
    return CaseResult(case, server, yardstick(case, iterations, time_limit), len(captured), errors)


def yardstick(case: Case, iterations: int, time_limit: float) -> Timing:
    """The same lookup as plain SQL: what a hand-written query costs on this database."""
    timing = Timing()
    if not case.yardstick:
        return timing
    per_request = max(1, len(case.yardstick) // len(case.paths))
    groups = [
        case.yardstick[i : i + per_request] for i in range(0, len(case.yardstick), per_request)
    ]
    deadline = time.perf_counter() + time_limit
    with connection.cursor() as cur:
        for group in groups[:3]:  # warm up
            for sql, params in group:
                cur.execute(sql, params)
                cur.fetchall()
        for i in range(iterations):
            t0 = time.perf_counter()
            for sql, params in groups[i % len(groups)]:
                cur.execute(sql, params)
                cur.fetchall()
            timing.samples.append((time.perf_counter() - t0) * 1000)
            if time.perf_counter() > deadline and i >= 10:
                break
    return timing


def calibrate() -> dict[str, float]:
    """How fast this machine is, in two fixed workloads (best of three), printed beside the
    figures so that results from different machines (or one machine on a busy day) can be
    compared: a pure-Python loop, and counting a generated million rows in the database."""
    from django.db import connection

    def best(fn) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        return min(times)

    def python_loop():
        total, seen = 0, {}
        for i in range(2_000_000):
            total += i
            if i % 8 == 0:
                seen[i] = total

    if connection.vendor == "postgresql":
        sql = "SELECT count(*) FROM generate_series(1, 1000000)"
    else:
        sql = (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)"
            " SELECT count(*) FROM c"
        )

    def sql_count():
        with connection.cursor() as cur:
            cur.execute(sql)
            cur.fetchall()

    return {"python_ms": best(python_loop), "sql_ms": best(sql_count)}
