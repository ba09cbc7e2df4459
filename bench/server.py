"""A real gunicorn serving the bench database on 127.0.0.1, and a bounded load against it.

Only the loopback address is ever used; every load run stops after a fixed number of requests
or seconds, whichever comes first.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import config
from bench.measure import Timing

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _rss_kb(pid: int, key: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """gunicorn with `workers` processes of `threads` threads (gthread), one per core."""

    def __init__(self, scale: str, db: str, workers: int = 2, threads: int = 4):
        self.port = _free_port()
        self.env = {**os.environ, **config.server_env(scale, db)}
        self.args = [
            str(Path(sys.executable).parent / "gunicorn"),
            "kehu.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ]
        self.proc: subprocess.Popen | None = None
        self.peak_rss_kb = 0
        self._sampling = False

    def __enter__(self) -> "Server":
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=config.ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()  # any answer means it is serving
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer /healthz within 60 s")
        self._sampling = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def rss_kb(self) -> int:
        pids = [self.proc.pid, *_children(self.proc.pid)]
        return sum(_rss_kb(p) for p in pids)

    def _sample(self) -> None:
        while self._sampling:
            self.peak_rss_kb = max(self.peak_rss_kb, self.rss_kb())
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        self._sampling = False
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class LoadResult:
    name: str
    concurrency: int
    timing: Timing
    seconds: float
    errors: int

    @property
    def rps(self) -> float:
        return len(self.timing.samples) / self.seconds if self.seconds else 0.0


def load(
    port: int,
    name: str,
    paths: list[str],
    token: str,
    concurrency: int,
    *,
    max_requests: int,
    max_seconds: float,
) -> LoadResult:
    """`concurrency` threads, each on its own keep-alive connection, cycling through `paths`."""
    timing = Timing()
    errors = 0
    lock = threading.Lock()
    counter = iter(range(max_requests))
    deadline = time.monotonic() + max_seconds
    headers = {"Authorization": f"Bearer {token}", "Connection": "keep-alive"}

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            t0 = time.perf_counter()
            try:
                conn.request("GET", paths[n % len(paths)], headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                ok = False
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                timing.samples.append(elapsed)
                errors += not ok
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(name, concurrency, timing, time.monotonic() - started, errors)
