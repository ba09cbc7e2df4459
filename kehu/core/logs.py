"""Logging that reads well on a console: one line per event, one time zone (settings.TIME_ZONE,
with its offset) on every line — Django's, the worker's and the web server's
(kehu.gunicorn_conf) — libraries' routine chatter kept for the log file, and the worker's
once-a-minute heartbeat at DEBUG."""

import logging

HEARTBEAT_TASK = "kehu.core.tasks.worker_heartbeat"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"
# Loggers whose INFO lines a person running Kehu wants on the console; other libraries' INFO
# (axes' start-up and login bookkeeping, …) goes to the log file only.
CONSOLE_INFO = ("kehu", "huey", "gunicorn")


class WorkerLines(logging.Filter):
    """The worker's (Huey's) lines as they should read: the heartbeat task, enqueued and run
    every minute, is logged at DEBUG (shown only when `level` is DEBUG); the start-up line does
    not add a UTC timestamp of its own to the line's local one."""

    def __init__(self, level: str = "INFO"):
        super().__init__()
        self.debug = level == "DEBUG"

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("huey"):
            return True
        if f"{HEARTBEAT_TASK}:" in record.getMessage():  # "<task>: <id>", a run of it
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return self.debug
        if record.msg.startswith("Huey consumer started with") and len(record.args) == 4:
            record.msg, record.args = "Huey consumer started with %s %s, PID %s", record.args[:3]
        return True


class ConsoleLines(logging.Filter):
    """Warnings and errors from everyone; INFO from Kehu, the worker and the web server."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.startswith(CONSOLE_INFO)


def config(*, level: str, log_file: str, quiet_console: bool) -> dict:
    """settings.LOGGING: the console, and the file `log_file` (none when empty)."""
    handlers = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["worker", "console"] if quiet_console else ["worker"],
        }
    }
    if log_file:
        handlers["file"] = {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": log_file,
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "encoding": "utf-8",
            "formatter": "plain",
            "filters": ["worker"],
        }
    names = list(handlers)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": FORMAT, "datefmt": DATE_FORMAT}},
        "filters": {
            "worker": {"()": WorkerLines, "level": level},
            "console": {"()": ConsoleLines},
        },
        "handlers": handlers,
        "root": {"handlers": names, "level": level},
        "loggers": {
            "django.security.DisallowedHost": {"level": "ERROR"},
            # Configured here, the worker's logger gets no second handler of its own from
            # run_huey (which adds one only to a logger without handlers): each line once.
            "huey": {"handlers": names, "level": level, "propagate": False},
        },
    }
