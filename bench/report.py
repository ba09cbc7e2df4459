"""Figures as a terminal table and as Markdown (bench/results/<date>-<scale>-<db>.md)."""

import datetime as dt
import os
import platform
import subprocess
from pathlib import Path

from bench import config
from bench.measure import CaseResult
from bench.server import LoadResult


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def git_commit() -> str:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=config.ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # The results the bench writes itself do not make the code it measured another commit.
    dirty = git("status", "--porcelain", "--", "kehu", "bench", ":!bench/results")
    return commit + (" (with uncommitted changes)" if dirty else "")


def db_version() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            return f"PostgreSQL {cur.fetchone()[0]}"
        cur.execute("SELECT sqlite_version()")
        return f"SQLite {cur.fetchone()[0]}"


def _ms(value: float) -> str:
    if value != value:  # NaN
        return "—"
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def case_rows(results: list[CaseResult]) -> list[list[str]]:
    rows = []
    for r in results:
        s, y = r.server, r.yardstick
        ratio = f"{s.median / y.median:.1f}×" if y.samples and y.median > 0 else "—"
        verdict = r.case.target.verdict(s.median, s.p95)
        if r.errors:
            verdict = "ERROR"
        rows.append(
            [
                r.case.name,
                _ms(s.median),
                _ms(s.p95),
                _ms(s.max),
                str(r.case.target),
                verdict,
                _ms(y.median),
                ratio,
                str(r.queries),
            ]
        )
    return rows


CASE_HEADER = [
    "case",
    "median ms",
    "p95 ms",
    "max ms",
    "target ms",
    "",
    "yardstick SQL ms",
    "÷ floor",
    "queries",
]
LOAD_HEADER = ["endpoint (gunicorn)", "concurrency", "req/s", "median ms", "p95 ms", "max ms"]
LOAD_HEADER += ["requests", "errors"]


def load_rows(results: list[LoadResult]) -> list[list[str]]:
    return [
        [
            r.name,
            str(r.concurrency),
            f"{r.rps:.0f}",
            _ms(r.timing.median),
            _ms(r.timing.p95),
            _ms(r.timing.max),
            str(len(r.timing.samples)),
            str(r.errors),
        ]
        for r in results
    ]


def text_table(header: list[str], rows: list[list[str]]) -> str:
    def width(s: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True))

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(out)


def markdown(
    *,
    scale: str,
    db: str,
    marker: dict,
    cases: list[CaseResult],
    loads: list[LoadResult],
    peak_rss_mb: float | None,
    timings: dict[str, float],
    speed: dict[str, float],
    notes: list[str],
) -> str:
    m = machine()
    counts = marker.get("counts", {})
    lines = [
        f"# Bench {scale} · {db} · {dt.date.today().isoformat()}",
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; {m['os']}",
        f"- software: Python {m['python']}, {db_version()}; git {git_commit()}",
        "- data: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
        f"- generation: {marker.get('seconds', '?')} s (generated {marker.get('generated_at')})",
        "- run: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()),
        "- load average at the end (1/5/15 min): "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg())
        + " (anything else running on the 2 cores skews the figures)",
        f"- machine speed (bench.measure.calibrate, lower is faster): Python reference loop"
        f" {speed['python_ms']:.0f} ms, SQL million-row count {speed['sql_ms']:.0f} ms",
        "",
        "## Server time per request (in-process, Django test client)",
        "",
        "Targets are for 1,000,000 customers. The yardstick is the same lookup written as one",
        "plain SQL query on the same database: the floor the product cannot beat.",
        "",
        markdown_table(CASE_HEADER, case_rows(cases)),
        "",
    ]
    if loads:
        lines += [
            "## Real server (gunicorn, 2 workers × 4 threads, 127.0.0.1, client-side times)",
            "",
            markdown_table(LOAD_HEADER, load_rows(loads)),
            "",
            f"Peak server memory (RSS, master + workers): {peak_rss_mb:.0f} MB",
            "",
        ]
    if notes:
        lines += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(lines)


def write(text: str, scale: str, db: str) -> Path:
    config.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = config.RESULTS_DIR / f"{dt.date.today().isoformat()}-{scale}-{db}.md"
    path.write_text(text, encoding="utf-8")
    return path
