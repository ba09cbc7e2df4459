"""`make run` (kehu start): the banner it ends with, demo passwords printed again by a reset,
and console logs that read well — one time zone, each worker line once, heartbeat at DEBUG,
libraries' chatter kept for the log file."""

import io
import logging
import re

import pytest
from django.conf import settings
from django.core.management import call_command

from kehu import cli, gunicorn_conf
from kehu.accounts.models import User
from kehu.core.logs import ConsoleLines, WorkerLines
from kehu.core.testing import make_admin


def record(name: str, level: int, msg: str, args=()) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


# --- logging ----------------------------------------------------------------------------------


def test_the_heartbeat_is_logged_at_debug():
    line = record("huey", logging.INFO, "Executing kehu.core.tasks.worker_heartbeat: 1d2e")

    shown_at_info = WorkerLines("INFO").filter(line)

    assert not shown_at_info and line.levelname == "DEBUG"
    assert WorkerLines("DEBUG").filter(
        record("huey", logging.INFO, "kehu.core.tasks.worker_heartbeat: 1d2e executed in 0.004s")
    )


def test_the_list_of_tasks_at_start_up_is_kept():
    line = record(
        "huey.consumer",
        logging.INFO,
        "The following commands are available:\n+ kehu.core.tasks.worker_heartbeat",
    )

    assert WorkerLines("INFO").filter(line)


def test_other_tasks_stay_at_info():
    line = record("huey", logging.INFO, "Executing kehu.dedup.tasks.dedup_scan: 1d2e")

    assert WorkerLines("INFO").filter(line) and line.levelname == "INFO"


def test_the_worker_start_line_has_no_second_time_zone():
    line = record(
        "huey.consumer",
        logging.INFO,
        "Huey consumer started with %s %s, PID %s at %s",
        (2, "thread", 123, "2026-12-03 08:21:46.013847"),
    )

    WorkerLines("INFO").filter(line)

    assert line.getMessage() == "Huey consumer started with 2 thread, PID 123"


def test_the_console_shows_kehu_and_warnings_but_not_library_chatter():
    console = ConsoleLines()

    assert not console.filter(record("axes.apps", logging.INFO, "AXES: BEGIN version 8"))
    assert console.filter(record("axes.watch_login", logging.WARNING, "locked out"))
    assert console.filter(record("kehu.customers", logging.INFO, "imported"))
    assert console.filter(record("huey.consumer", logging.INFO, "Huey consumer started"))


def test_every_line_carries_the_products_time_zone():
    formatter = logging.Formatter(
        settings.LOGGING["formatters"]["plain"]["format"],
        settings.LOGGING["formatters"]["plain"]["datefmt"],
    )

    line = formatter.format(record("kehu", logging.INFO, "x"))

    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0800 INFO kehu x$", line)


def test_worker_lines_are_printed_once():
    # run_huey adds its own handler only to a "huey" logger without one; ours has handlers and
    # does not pass lines on to the root logger's console as well.
    huey = settings.LOGGING["loggers"]["huey"]
    assert huey["handlers"] and huey["propagate"] is False
    assert logging.getLogger("huey").handlers


def test_the_web_servers_lines_look_like_kehus_and_are_printed_once():
    generic = gunicorn_conf.logconfig_dict["formatters"]["generic"]
    plain = settings.LOGGING["formatters"]["plain"]

    assert (generic["format"], generic["datefmt"]) == (plain["format"], plain["datefmt"])
    for logger in gunicorn_conf.logconfig_dict["loggers"].values():
        assert logger["propagate"] is False


# --- banner and passwords ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_banner_says_where_kehu_is_and_how_to_get_passwords_again():
    make_admin("boss")
    call_command("demo", stdout=io.StringIO())

    text = cli.banner("http://127.0.0.1:8000/")

    assert "http://127.0.0.1:8000/" in text
    assert "Administrator: boss" in text and "kehu changepassword boss" in text
    assert "zhang.wei" in text and "kehu demo --reset-passwords" in text
    assert "Ctrl-C" in text
    lines = text.splitlines()
    assert lines[0] == lines[-1] and set(lines[0]) == {"─"}


@pytest.mark.django_db
def test_reset_passwords_prints_new_ones_that_work():
    call_command("demo", stdout=io.StringIO())
    out = io.StringIO()

    call_command("demo", reset_passwords=True, stdout=out)

    printed = dict(re.findall(r"^\s+(\S+)\s+.*\s(\S+)$", out.getvalue(), re.M))
    assert len(printed) == 7
    assert User.objects.get(username="zhang.wei").check_password(printed["zhang.wei"])


def test_start_refuses_a_bad_port_before_touching_the_database(capsys, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)

    assert cli.main(["start", "--port", "x"]) == 2
    assert "PORT='x'" in capsys.readouterr().err
