"""`kehu` console command: serve, worker, demo, createadmin; anything else goes to manage.py."""

import os
import signal
import subprocess
import sys

USAGE = """usage: kehu COMMAND [ARGS]

  serve [--port N]   serve on 127.0.0.1 (PORT, default 8000) with gunicorn and a worker
  worker             run the background worker (Huey consumer)
  demo [--if-empty]  load demo data
  createadmin        create the first administrator (KEHU_ADMIN_USER / KEHU_ADMIN_PASSWORD)
  ...                any manage.py command (migrate, shell, check …)
"""


def _manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kehu", *args])
    return 0


def serve(args: list[str]) -> int:
    port = os.environ.get("PORT", "8000")
    if "--port" in args:
        rest = args[args.index("--port") + 1 :]
        port = rest[0] if rest else ""
    if not port.isdigit():
        print(f"PORT={port!r}: expected a number", file=sys.stderr)
        return 2
    host = os.environ.get("KEHU_BIND", "127.0.0.1")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    python = sys.executable
    web = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "kehu.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            workers,
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
    )
    worker = subprocess.Popen([python, "-m", "kehu.cli", "worker"])
    print(f"Kehu: http://{host}:{port}/  (Ctrl-C to stop)", flush=True)

    def stop(*_):
        for proc in (web, worker):
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    # Whichever stops first takes the other with it: a server without its worker is broken.
    while web.poll() is None and worker.poll() is None:
        try:
            os.wait()
        except ChildProcessError:
            break
    stop()
    web.wait()
    worker.wait()
    return web.returncode or 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "serve":
        return serve(rest)
    if command == "worker":
        return _manage(["run_huey", *rest])
    return _manage([command, *rest])


if __name__ == "__main__":
    sys.exit(main())
