"""Run the bench: `make bench SCALE=small|large DB=sqlite|postgres`.

    python -m bench.run --scale large --db postgres [--regenerate] [--no-server]

1. Makes (or reuses) the bench database for the scale (bench/generate.py).
2. Times every case in `bench/cases.py` in-process through Django's test client, as an admin
   (全公司), a regional manager (本部门及下级部门) and a rep (本人), beside its raw-SQL yardstick.
3. Starts gunicorn on 127.0.0.1 against the same database and loads the main endpoints at
   concurrency 1, 8 and 32 (bounded in requests and seconds), watching the server's memory.
4. Prints the tables and writes bench/results/<date>-<scale>-<db>.md.
"""

import argparse
import os
import sys
import time

from bench import config

CONCURRENCY = (1, 8, 32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kehu benchmark")
    parser.add_argument("--scale", choices=sorted(config.SCALES), default="small")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--regenerate", action="store_true", help="generate even if reusable")
    parser.add_argument("--iterations", type=int, default=100, help="requests per case")
    parser.add_argument("--case-seconds", type=float, default=20.0, help="time cap per case")
    parser.add_argument("--no-server", action="store_true", help="skip the gunicorn part")
    parser.add_argument("--load-requests", type=int, default=3000)
    parser.add_argument("--load-seconds", type=float, default=8.0)
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    parser.add_argument(
        "--dedup-n",
        type=int,
        default=None,
        help="customers for the duplicate-detection figures (default: the scale's size; 0 skips)",
    )
    parser.add_argument(
        "--truth-n",
        type=int,
        default=None,
        help="customers for the independent duplicate quality set (default: 100,000 at the "
        "small scale, 1,000,000 at the large; 0 skips)",
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    timings: dict[str, float] = {}
    print(f"Load average before the run: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    config.configure(args.scale, args.db)

    from django.core.management import call_command

    from bench import cases as bench_cases
    from bench import generate, measure, report, server
    from kehu.accounts.models import ApiToken, User
    from kehu.accounts.services import token_issue

    marker = generate.ensure(args.scale, args.db, force=args.regenerate)
    timings["generate/reuse"] = time.monotonic() - started
    # The pages need the static manifest, as in production (kept under bench/data/var/).
    call_command("collectstatic", interactive=False, verbosity=0)

    users = {role: User.objects.get(pk=pk) for role, pk in marker["users"].items()}
    ApiToken.objects.filter(user__in=users.values(), name="bench").delete()
    tokens = {role: token_issue(user=u, name="bench")[1] for role, u in users.items()}

    speed = measure.calibrate()
    print(
        f"Machine speed: Python reference loop {speed['python_ms']:.0f} ms, "
        f"SQL million-row count {speed['sql_ms']:.0f} ms"
    )
    t0 = time.monotonic()
    cases = [c for c in bench_cases.build(users) if args.only in c.name]
    print(
        f"\n{len(cases)} cases, {args.iterations} requests each (prepared in "
        f"{time.monotonic() - t0:.1f} s)\n"
    )
    t0 = time.monotonic()
    results = []
    for case in cases:
        client = measure.client_for(users[case.role], tokens[case.role], case.html)
        result = measure.run_case(
            case,
            client,
            iterations=args.iterations,
            warmup=min(10, len(case.paths) * 2),
            time_limit=args.case_seconds,
        )
        results.append(result)
        row = report.case_rows([result])[0]
        print(
            f"  {row[0]}: median {row[1]} p95 {row[2]} max {row[3]} ms "
            f"[{row[4]} {row[5]}] yardstick {row[6]} ms, {row[8]} queries",
            flush=True,
        )
        for error in result.errors:
            print(f"    ! {error}")
    timings["in-process"] = time.monotonic() - t0

    loads, peak_rss_mb = [], None
    if not args.no_server:
        t0 = time.monotonic()
        from django.db import connections

        connections.close_all()
        with server.Server(args.scale, args.db) as srv:
            for case in (c for c in cases if c.load):
                for concurrency in CONCURRENCY:
                    result = server.load(
                        srv.port,
                        case.name,
                        case.paths,
                        tokens[case.role],
                        concurrency,
                        max_requests=args.load_requests,
                        max_seconds=args.load_seconds,
                    )
                    loads.append(result)
                    print(
                        f"  gunicorn {case.name} ×{concurrency}: {result.rps:.0f} req/s, "
                        f"median {result.timing.median:.1f} ms, p95 {result.timing.p95:.1f} ms, "
                        f"errors {result.errors}",
                        flush=True,
                    )
            peak_rss_mb = srv.peak_rss_kb / 1024
        timings["gunicorn"] = time.monotonic() - t0
    timings["total"] = time.monotonic() - started

    print()
    print(report.text_table(report.CASE_HEADER, report.case_rows(results)))
    if loads:
        print()
        print(report.text_table(report.LOAD_HEADER, report.load_rows(loads)))
        print(f"\nPeak server RSS (master + workers): {peak_rss_mb:.0f} MB")
    dedup_text = _dedup_figures(args)
    notes = []
    if args.scale != "large":
        notes.append("Targets are defined at the large scale (1,000,000 customers).")
    text = report.markdown(
        scale=args.scale,
        db=args.db,
        marker=marker,
        cases=results,
        loads=loads,
        peak_rss_mb=peak_rss_mb,
        timings=timings,
        speed=speed,
        notes=notes,
    )
    if dedup_text:
        text += "\n## Duplicate detection (bench.dedup_quality)\n\n```\n" + dedup_text + "\n```\n"
    truth_text = _truth_figures(args)
    if truth_text:
        text += "\n## Duplicate detection, independent set (bench.dedup_truth)\n\n```\n"
        text += truth_text + "\n```\n"
    if args.only or args.no_server:
        # A partial run must not replace the full figures in bench/results/.
        print(f"\nPartial run ({timings['total']:.0f} s): bench/results/ left as it was")
    else:
        path = report.write(text, args.scale, args.db)
        print(f"\nWritten {path.relative_to(config.ROOT)} in {timings['total']:.0f} s total")
    failed = [r for r in results if r.errors]
    return 1 if failed else 0


def _dedup_figures(args) -> str:
    """Precision/recall of the scan on injected duplicates, the check's latency and the scan's
    duration, on a database of its own (issue: 查重与合并)."""
    n = config.SCALES[args.scale].customers if args.dedup_n is None else args.dedup_n
    if n <= 0 or args.only:
        return ""
    from bench import dedup_quality

    print(f"\nDuplicate detection on {n:,} customers ({args.db}) …", flush=True)
    # The measurement runs in a child process with its own database and prints its figures.
    return dedup_quality.report(dedup_quality.run(n, args.db))


TRUTH_N = {"small": 100_000, "large": 1_000_000}


def _truth_figures(args) -> str:
    """Precision and recall of the entry check and the scan on the independent quality set
    (bench/dedup_truth.py), on a database of its own, printed and returned."""
    n = TRUTH_N[args.scale] if args.truth_n is None else args.truth_n
    if n <= 0 or args.only:
        return ""
    from bench import dedup_truth

    print(f"\nIndependent duplicate quality set, {n:,} customers ({args.db}) …", flush=True)
    text = dedup_truth.report(dedup_truth.run(n, args.db))
    print(text)
    return text


if __name__ == "__main__":
    sys.exit(main())
