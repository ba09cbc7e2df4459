"""Test set-up shared by every app: the worker runs tasks inline, lockout state is per test."""

import pytest


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
