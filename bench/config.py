"""Where the bench databases live and how a bench process points Django at one.

Django reads DATABASE_URL and KEHU_VAR_DIR when settings load, so `configure()` must run before
anything imports a model.
"""

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"
# The server base; each scale gets its own database kehu_bench_<scale> on it.
PG_BASE = os.environ.get("KEHU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


@dataclass(frozen=True)
class Scale:
    name: str
    customers: int
    regions: int  # 大区 under 总部
    cities_per_region: int  # city sales departments per 大区
    reps_per_city: int


SCALES = {
    "small": Scale("small", 10_000, regions=2, cities_per_region=2, reps_per_city=5),
    "large": Scale("large", 1_000_000, regions=5, cities_per_region=4, reps_per_city=10),
}


def database_url(scale: str, db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{DATA_DIR / f'kehu_{scale}.sqlite3'}"
    if db == "postgres":
        return f"{PG_BASE}/kehu_bench_{scale}"
    raise ValueError(f"unknown database {db!r}: sqlite or postgres")


def server_env(scale: str, db: str) -> dict[str, str]:
    """The environment a bench process (this one or gunicorn) runs Kehu with."""
    var_dir = DATA_DIR / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    return {
        "DJANGO_SETTINGS_MODULE": "kehu.settings",
        "DATABASE_URL": database_url(scale, db),
        "KEHU_VAR_DIR": str(var_dir),
        "KEHU_ENV": "development",
        "KEHU_DEBUG": "false",
        "KEHU_LOG_LEVEL": "WARNING",
        # The test client calls itself "testserver".
        "KEHU_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }


def configure(scale: str, db: str) -> None:
    """Point this process at the bench database and set Django up."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update(server_env(scale, db))
    if db == "postgres":
        create_pg_database(scale)
    import django

    django.setup()


def create_pg_database(scale: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [f"kehu_bench_{scale}"]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "kehu_bench_{scale}"')


def drop_database(scale: str, db: str) -> None:
    """Start from nothing (before a fresh generation)."""
    if db == "sqlite":
        path = DATA_DIR / f"kehu_{scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "kehu_bench_{scale}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "kehu_bench_{scale}"')
