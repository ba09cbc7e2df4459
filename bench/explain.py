"""Show the plan of every query one bench request runs: the tool for finding what to index.

    python -m bench.explain --scale large --db postgres --only "搜索 名称片段 (管理员"

Runs the first request of each matching case once, captures its SQL, then prints each query with
its time and EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite).
"""

import argparse
import time

from bench import config


def main() -> None:
    parser = argparse.ArgumentParser(description="Plans of the queries behind bench cases")
    parser.add_argument("--scale", choices=sorted(config.SCALES), default="small")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--only", default="", help="cases whose name contains this")
    parser.add_argument("--path", type=int, default=0, help="which of the case's paths")
    args = parser.parse_args()
    config.configure(args.scale, args.db)

    from django.db import connection

    from bench import cases as bench_cases
    from bench import generate, measure
    from kehu.accounts.models import User
    from kehu.accounts.services import token_issue

    marker = generate.read_marker()
    if marker is None:
        raise SystemExit("No bench database: run python -m bench.generate first")
    users = {role: User.objects.get(pk=pk) for role, pk in marker["users"].items()}
    for case in bench_cases.build(users):
        if args.only not in case.name:
            continue
        token = token_issue(user=users[case.role], name="explain")[1]
        client = measure.client_for(users[case.role], token, case.html)
        path = case.paths[args.path % len(case.paths)]
        client.get(path)  # warm
        captured: list[tuple[str, tuple]] = []

        def capture(execute, sql, params, many, context, captured=captured):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            t0 = time.perf_counter()
            status = client.get(path).status_code
            total = (time.perf_counter() - t0) * 1000
        print(f"\n=== {case.name}: GET {path} → {status} in {total:.1f} ms")
        with connection.cursor() as cur:
            for sql, params in captured:
                t0 = time.perf_counter()
                cur.execute(sql, params)
                if cur.description:
                    cur.fetchall()
                ms = (time.perf_counter() - t0) * 1000
                print(
                    f"\n-- {ms:.2f} ms: {cur.db.ops.last_executed_query(cur, sql, params)}"[:1500]
                )
                if not sql.lstrip().lstrip("(").upper().startswith("SELECT"):
                    continue
                if connection.vendor == "postgresql":
                    cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                else:
                    cur.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                for row in cur.fetchall():
                    print("   ", " ".join(str(x) for x in row))


if __name__ == "__main__":
    main()
