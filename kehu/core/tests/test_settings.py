"""Settings come from the environment; a value that cannot be understood stops the process
with ImproperlyConfigured naming the variable. Each case imports the settings in a fresh
interpreter, as `kehu serve` would."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kehu.settings import env_bool, env_choice, env_int, env_list

PRODUCTION_KEY = "k" * 60


def import_settings(tmp_path, print_expr="'ok'", **env):
    """Import kehu.settings in a subprocess with only `env` set among Kehu's variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KEHU_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    clean.update({"KEHU_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", f"import kehu.settings as s; print({print_expr})"],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("KEHU_ENV", {"KEHU_ENV": "staging"}),
        ("KEHU_DEBUG", {"KEHU_DEBUG": "maybe"}),
        ("DATABASE_URL", {"DATABASE_URL": "nonsense"}),
        ("DATABASE_URL", {"DATABASE_URL": "mysql://kehu@db.example.com/kehu"}),
        ("DATABASE_URL", {"DATABASE_URL": "redis://127.0.0.1:6379/0"}),
        ("DATABASE_URL", {"DATABASE_URL": "postgres://kehu@db:port/kehu"}),
        ("KEHU_WORKERS", {"KEHU_WORKERS": "many"}),
        ("KEHU_WORKERS", {"KEHU_WORKERS": "0"}),
        ("KEHU_LOGIN_FAILURE_LIMIT", {"KEHU_LOGIN_FAILURE_LIMIT": "-3"}),
        ("KEHU_LOG_LEVEL", {"KEHU_LOG_LEVEL": "LOUD"}),
        ("KEHU_SECRET_KEY", {"KEHU_ENV": "production", "KEHU_ALLOWED_HOSTS": "crm.example.com"}),
        (
            "KEHU_SECRET_KEY",
            {"KEHU_ENV": "production", "KEHU_SECRET_KEY": "short", "KEHU_ALLOWED_HOSTS": "a.cn"},
        ),
        ("KEHU_ALLOWED_HOSTS", {"KEHU_ENV": "production", "KEHU_SECRET_KEY": PRODUCTION_KEY}),
        (
            "KEHU_DEBUG",
            {"KEHU_ENV": "production", "KEHU_DEBUG": "true", "KEHU_SECRET_KEY": PRODUCTION_KEY},
        ),
    ],
)
def test_bad_value_stops_with_the_variable_named(tmp_path, variable, env):
    # When the settings are imported with a value that cannot be used
    result = import_settings(tmp_path, **env)

    # Then the process fails with ImproperlyConfigured naming the variable
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert variable in last_line


def test_defaults_give_a_working_trial_install(tmp_path):
    result = import_settings(
        tmp_path, "s.KEHU_ENV, s.DEBUG, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "development False django.db.backends.sqlite3 ['127.0.0.1', 'localhost']"
    )
    # A trial install keeps its generated secret key across restarts.
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    again = import_settings(tmp_path, "s.SECRET_KEY == open(s.VAR_DIR / 'secret_key').read()")
    assert again.stdout.strip() == "True"


def test_production_settings_are_secure(tmp_path):
    result = import_settings(
        tmp_path,
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS,"
        " s.SECRET_KEY == 'k' * 60",
        KEHU_ENV="production",
        KEHU_SECRET_KEY=PRODUCTION_KEY,
        KEHU_ALLOWED_HOSTS="crm.example.com, www.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True ['crm.example.com', 'www.example.com'] True"


def test_postgres_url_selects_postgresql(tmp_path):
    result = import_settings(
        tmp_path,
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
        DATABASE_URL="postgres://kehu:secret@db.example.com:5432/kehu",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql kehu"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("KEHU_TEST_FLAG", raw)

    assert env_bool("KEHU_TEST_FLAG", not expected) is expected


def test_env_helpers_fall_back_to_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("KEHU_TEST_VALUE", raising=False)
    assert env_bool("KEHU_TEST_VALUE", True) is True
    assert env_int("KEHU_TEST_VALUE", 7) == 7
    assert env_list("KEHU_TEST_VALUE", ["a"]) == ["a"]
    assert env_choice("KEHU_TEST_VALUE", "x", {"x", "y"}) == "x"

    monkeypatch.setenv("KEHU_TEST_VALUE", "")
    assert env_bool("KEHU_TEST_VALUE", False) is False
    assert env_int("KEHU_TEST_VALUE", 7) == 7


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("KEHU_TEST_LIST", " a.example.com, ,b.example.com ")

    assert env_list("KEHU_TEST_LIST", []) == ["a.example.com", "b.example.com"]


@pytest.mark.parametrize(
    ("helper", "raw"),
    [
        (lambda: env_bool("KEHU_TEST_BAD", False), "si"),
        (lambda: env_int("KEHU_TEST_BAD", 1), "1.5"),
        (lambda: env_int("KEHU_TEST_BAD", 1, minimum=1), "0"),
        (lambda: env_choice("KEHU_TEST_BAD", "a", {"a", "b"}), "c"),
    ],
)
def test_env_helpers_name_the_variable_on_bad_values(monkeypatch, helper, raw):
    monkeypatch.setenv("KEHU_TEST_BAD", raw)

    with pytest.raises(ImproperlyConfigured, match="KEHU_TEST_BAD"):
        helper()


def test_passwords_are_hashed_with_argon2(tmp_path):
    # (The test run itself swaps in a fast hasher, see conftest.py; the product must not.)
    result = import_settings(tmp_path, "s.PASSWORD_HASHERS[0]")

    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"
