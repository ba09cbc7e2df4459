"""One view for page and partial; the worker heartbeat that /healthz reports."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from huey.contrib.djhuey import HUEY

from kehu.core import htmx
from kehu.core.tasks import HEARTBEAT_KEY, last_heartbeat_age, worker_heartbeat


@pytest.fixture
def rendered(monkeypatch):
    """The template name render_page_or_partial chose."""
    chosen = []

    def fake_render(request, template, context, status=200):
        chosen.append(template)
        return HttpResponse(status=status)

    monkeypatch.setattr(htmx, "render", fake_render)
    return chosen


@pytest.mark.parametrize(
    ("headers", "template"),
    [
        ({}, "page.html"),
        ({"HX-Request": "true"}, "_partial.html"),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, "page.html"),
        ({"HX-Request": "false"}, "page.html"),
    ],
)
def test_htmx_requests_get_the_partial(rendered, headers, template):
    request = RequestFactory().get("/customers/", headers=headers)

    response = htmx.render_page_or_partial(request, "page.html", "_partial.html", {}, status=201)

    assert rendered == [template]
    assert response.status_code == 201


@pytest.fixture
def clean_heartbeat():
    HUEY.storage.pop_data(HEARTBEAT_KEY)
    yield
    HUEY.storage.pop_data(HEARTBEAT_KEY)


def test_no_heartbeat_before_a_worker_ran(clean_heartbeat):
    assert last_heartbeat_age() is None


def test_heartbeat_is_recent_after_the_task_runs(clean_heartbeat):
    worker_heartbeat.call_local()

    assert 0 <= last_heartbeat_age() < 5


def test_garbage_heartbeat_is_ignored(clean_heartbeat):
    HUEY.storage.put_data(HEARTBEAT_KEY, b"not a time")

    assert last_heartbeat_age() is None


@pytest.mark.django_db
def test_healthz_reports_how_long_ago_the_worker_was_seen(client, clean_heartbeat):
    assert client.get("/healthz").json()["worker_seen_seconds_ago"] is None

    worker_heartbeat.call_local()

    assert client.get("/healthz").json()["worker_seen_seconds_ago"] == 0
