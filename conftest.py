"""Test set-up shared by every app: the worker runs tasks inline, lockout state is per test,
attachments are stored in a temporary directory."""

import shutil
import tempfile

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Static files come from the finders, so tests need no `collectstatic` (and the live server
    # of the browser tests serves the real css/js) instead of whitenoise's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Argon2 is deliberately slow; tests create many users. Production keeps argon2
    # (kehu/core/tests/test_settings.py checks it).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Attachments go to a directory of this run, not to var/files.
    config.kehu_files_dir = tempfile.mkdtemp(prefix="kehu-test-files-")
    settings.STORAGES["attachments"] = {
        **settings.STORAGES["attachments"],
        "OPTIONS": {
            **settings.STORAGES["attachments"]["OPTIONS"],
            "location": config.kehu_files_dir,
        },
    }


def pytest_unconfigure(config):
    if getattr(config, "kehu_files_dir", None):
        shutil.rmtree(config.kehu_files_dir, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the worker; each test starts in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
