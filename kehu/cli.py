"""`kehu` console command: start, serve, worker, demo, createadmin; anything else goes to
manage.py."""

import os
import signal
import socket
import subprocess
import sys
import time

USAGE = """usage: kehu COMMAND [ARGS]

  start [--port N]   what `make run` does: migrate, first administrator, demo data once, serve
  serve [--port N]   serve on 127.0.0.1 (PORT, default 8000) with gunicorn and a worker
  worker             run the background worker (Huey consumer)
  demo [--if-empty]  load demo data; --reset-passwords gives the demo people new passwords
  createadmin        create the first administrator (KEHU_ADMIN_USER / KEHU_ADMIN_PASSWORD)
  ...                any manage.py command (migrate, changepassword, shell, check …)
"""
# How long `start` waits for the server and the worker before printing its banner anyway.
READY_SECONDS = 60


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    import django

    django.setup()


def _manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kehu", *args])
    return 0


def _port(args: list[str]) -> str:
    port = os.environ.get("PORT", "8000")
    if "--port" in args:
        rest = args[args.index("--port") + 1 :]
        port = rest[0] if rest else ""
    return port


def serve(args: list[str], *, banner=None) -> int:
    port = _port(args)
    if not port.isdigit():
        print(f"PORT={port!r}: expected a number", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    from django.conf import settings

    # Every process logs in the product's time zone (gunicorn's master has no Django).
    env = {**os.environ, "TZ": settings.TIME_ZONE}
    host = os.environ.get("KEHU_BIND", "127.0.0.1")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    python = sys.executable
    web = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "kehu.wsgi:application",
            "--config",
            "python:kehu.gunicorn_conf",
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
        ],
        env=env,
    )
    worker = subprocess.Popen([python, "-m", "kehu.cli", "worker"], env=env)
    url = f"http://{host}:{port}/"
    if banner is None:
        print(f"Kehu: {url}  (Ctrl-C to stop)", flush=True)
    else:
        _wait_until_ready(host, int(port), web)
        print(banner(url), flush=True)

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


def _wait_until_ready(host: str, port: int, web: subprocess.Popen) -> None:
    """Until the server answers and the worker has run its first heartbeat (its start-up lines
    are printed by then), so that the banner comes last."""
    from kehu.core.tasks import last_heartbeat_age

    started, deadline = time.time(), time.monotonic() + READY_SECONDS
    answering = False
    while time.monotonic() < deadline and web.poll() is None:
        if not answering:
            try:
                socket.create_connection((host, port), timeout=1).close()
                answering = True
            except OSError:
                pass
        age = last_heartbeat_age()
        if answering and age is not None and age <= time.time() - started:
            return
        time.sleep(0.25)


def start(args: list[str]) -> int:
    """`make run`: bring the database up to date (its chatter to the log file), create the
    first administrator and the demo data once (their passwords are printed), serve, and end
    with a banner saying where everything is."""
    if not _port(args).isdigit():
        return serve(args)  # says what is wrong with the port
    _django()
    from django.conf import settings
    from django.core.management import call_command

    log_path = settings.LOG_FILE or os.devnull
    with open(log_path, "a", encoding="utf-8") as log:
        print("Kehu: preparing the database …", flush=True)
        call_command("migrate", interactive=False, stdout=log, stderr=log)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=log, stderr=log)
    call_command("createadmin")
    call_command("demo", if_empty=True)
    from django.db import connections

    connections.close_all()  # the server's processes open their own
    return serve(args, banner=banner)


def banner(url: str) -> str:
    """The lines `make run` ends with: where Kehu is, who administers it, where passwords went."""
    from django.conf import settings

    from kehu.accounts.choices import RoleCode
    from kehu.accounts.demo import demo_usernames
    from kehu.accounts.models import User

    admin = (
        User.objects.filter(is_active=True, groups__role__code=RoleCode.ADMIN)
        .order_by("pk")
        .first()
    )
    demo = demo_usernames()
    kehu = ".venv/bin/kehu"
    lines = [f"Kehu is running at {url}"]
    if admin is not None:
        lines += [
            f"Administrator: {admin.username} (its password was printed when it was created;",
            f"  forgotten: {kehu} changepassword {admin.username})",
        ]
    if demo:
        lines += [
            f"Demo people: {', '.join(demo)}",
            "  (passwords printed once, when the demo data was loaded;",
            f"  new ones: {kehu} demo --reset-passwords)",
        ]
    if settings.LOG_FILE:
        log = os.path.relpath(settings.LOG_FILE)
        lines.append(f"Log: {settings.LOG_FILE if log.startswith('..') else log}")
    lines.append("Stop: Ctrl-C")
    rule = "─" * max(len(line) for line in lines)
    return "\n".join([rule, *lines, rule])


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "start":
        return start(rest)
    if command == "serve":
        return serve(rest)
    if command == "worker":
        return _manage(["run_huey", *rest])
    return _manage([command, *rest])


if __name__ == "__main__":
    sys.exit(main())
