"""/api/v1/notifications: the caller's own notifications with the list conventions of DESIGN.md
(limit, cursor, count); anyone else's notification is 404 and stays unread."""

import pytest

from kehu.core.testing import api_client
from kehu.notify import services
from kehu.notify.models import Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def tell(user, n: int, **fields):
    for i in range(n):
        services.notify(
            recipients=[user],
            kind="task_reminder",
            title=fields.get("title", f"提醒 {i}"),
            body="今天回访",
            url="/customers/1/",
            key=f"{fields.get('prefix', 'k')}:{i}",
        )
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_the_list_is_the_callers_own_newest_first_with_cursor_and_count(team):
    tell(team.rep, 3)
    tell(team.outsider, 2, prefix="other")
    client = api_client(team.rep)

    first = client.get(URL, {"limit": 2}).json()
    second = client.get(URL, {"limit": 2, "cursor": first["next"]}).json()

    assert [i["title"] for i in first["items"]] == ["提醒 2", "提醒 1"]
    assert (first["count"], first["count_capped"]) == (3, False)
    assert [i["title"] for i in second["items"]] == ["提醒 0"]
    assert second["next"] is None
    item = second["items"][0]
    assert item["deliveries"] == [
        {
            "channel": "email",
            "state": "pending",
            "attempts": 0,
            "last_error": "",
            "sent_at": None,
            "next_attempt_at": item["deliveries"][0]["next_attempt_at"],
        }
    ]
    assert set(item) == {
        "id", "kind", "title", "body", "url", "created_at", "read_at", "deliveries",
    }  # fmt: skip


def test_mark_read_and_the_unread_filter_and_count(team):
    first, second = tell(team.rep, 2)
    client = api_client(team.rep)

    response = client.post(f"{URL}/{first.pk}/read")

    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert [i["id"] for i in client.get(URL, {"unread": "true"}).json()["items"]] == [second.pk]
    assert client.get(f"{URL}/unread-count").json() == {"count": 1, "capped": False}
    assert client.post(f"{URL}/read-all").json() == {"updated": 1}
    assert client.get(f"{URL}/unread-count").json() == {"count": 0, "capped": False}


def test_someone_elses_notification_is_404_and_stays_unread(team):
    [theirs] = tell(team.mate, 1)
    client = api_client(team.rep)

    assert client.get(f"{URL}/{theirs.pk}").status_code == 404
    assert client.post(f"{URL}/{theirs.pk}/read").status_code == 404
    assert client.post(f"{URL}/read-all").json() == {"updated": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(URL).json()["items"] == []


def test_the_unread_count_stops_at_99(team):
    Notification.objects.bulk_create(
        Notification(recipient=team.rep, kind="x", title="t", key=f"bulk:{i}") for i in range(101)
    )
    assert api_client(team.rep).get(f"{URL}/unread-count").json() == {"count": 99, "capped": True}


def test_without_credentials_it_is_401_and_bad_paging_is_a_field_error(team, client):
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}/read-all").status_code == 401
    rep = api_client(team.rep)
    response = rep.get(URL, {"cursor": "nonsense"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"
    assert rep.get(URL, {"limit": 201}).json()["errors"][0]["field"] == "limit"
