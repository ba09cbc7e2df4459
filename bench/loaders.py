"""Bulk writers for the generator: COPY on PostgreSQL (psycopg 3), big executemany
transactions on SQLite. Secondary indexes are dropped for the load and rebuilt after it, which
is several times faster than maintaining them row by row."""

import sqlite3
from pathlib import Path
from urllib.parse import urlparse


class Loader:
    vendor = ""

    def __init__(self):
        self._saved: list[str] = []

    def suspend_indexes(self, tables: list[str]) -> None:
        raise NotImplementedError

    def restore_indexes(self) -> None:
        for sql in self._saved:
            self.execute(sql)
        self._saved = []

    def copy(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        raise NotImplementedError

    def execute(self, sql: str, params=None) -> list:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class PostgresLoader(Loader):
    vendor = "postgresql"

    def __init__(self, url: str):
        super().__init__()
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        # Foreign keys are checked by triggers; the generator's rows are consistent by design.
        self.execute("SET session_replication_role = replica")
        self.execute("SET maintenance_work_mem = '1GB'")
        self.execute("SET synchronous_commit = off")

    def execute(self, sql: str, params=None) -> list:
        cur = self.conn.execute(sql, params)
        return cur.fetchall() if cur.description else []

    def suspend_indexes(self, tables: list[str]) -> None:
        constraints = self.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        for table, name, definition in constraints:
            self.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            self._saved.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        indexes = self.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        )
        for name, definition in indexes:
            self.execute(f'DROP INDEX "{name}"')
            self._saved.append(definition)

    def copy(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in columns)
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as cp:
            for row in rows:
                cp.write_row(row)

    def finish(self) -> None:
        # Identity columns were bypassed for explicit ids: move each sequence past the max.
        for table, column in self.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND is_identity = 'YES'"
        ):
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'),"
                f' COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)'
            )
        self.execute("SET session_replication_role = DEFAULT")
        self.execute("VACUUM ANALYZE")
        self.conn.close()


class SqliteLoader(Loader):
    vendor = "sqlite"

    def __init__(self, url: str):
        super().__init__()
        path = Path(urlparse(url).path)
        self.conn = sqlite3.connect(path, isolation_level=None)
        # Durability does not matter while loading: a failed load is thrown away and redone.
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "foreign_keys = OFF",
            "cache_size = -1000000",
            "temp_store = MEMORY",
        ):
            self.conn.execute(f"PRAGMA {pragma}")

    def execute(self, sql: str, params=None) -> list:
        return self.conn.execute(sql, params or []).fetchall()

    def suspend_indexes(self, tables: list[str]) -> None:
        marks = ",".join("?" * len(tables))
        for name, sql in self.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks})",
            tables,
        ):
            self.execute(f'DROP INDEX "{name}"')
            self._saved.append(sql)

    def copy(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.conn.execute("BEGIN")
        self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
        self.conn.execute("COMMIT")

    def finish(self) -> None:
        self.execute("ANALYZE")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.close()


def loader_for(url: str) -> Loader:
    return PostgresLoader(url) if url.startswith("postgres") else SqliteLoader(url)
