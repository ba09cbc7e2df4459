"""The notification centre and 通知设置 as people use them: the header's unread count on every
page, opening a notification goes to its record and marks it read, someone else's is 404;
channel settings save with field messages for a refused webhook and nothing saved."""

import re

import pytest
from django.urls import reverse

from kehu.audit.models import AuditEvent
from kehu.core.testing import session_client
from kehu.notify import services
from kehu.notify.choices import RobotKind
from kehu.notify.models import ChannelPreference, Notification, Robot

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def tell(user, key="k", url="/customers/1/"):
    [notification] = services.notify(
        recipients=[user], kind="task_reminder", title="跟进提醒", body="回访", url=url, key=key
    )
    return notification


def badge(response) -> str | None:
    found = re.search(r'class="badge">([^<]*)<', response.content.decode())
    return found.group(1) if found else None


def test_every_page_shows_the_unread_count_in_the_header(team):
    client = session_client(team.rep)
    assert badge(client.get(reverse("home"))) is None

    tell(team.rep, "a")
    tell(team.rep, "b")
    tell(team.mate, "c")

    assert badge(client.get(reverse("home"))) == "2"
    assert badge(client.get(reverse("notify:channels"))) == "2"


def test_the_header_count_is_one_query_and_a_partial_pays_none(team, django_assert_num_queries):
    tell(team.rep)
    client = session_client(team.rep)
    # A page that reads nothing itself (今日 reads its panels' counts): the header's cost alone.
    client.get(reverse("password_change"))
    # session, user, the unread count
    with django_assert_num_queries(3):
        client.get(reverse("password_change"))
    # A page's htmx partial has no header: session, user, the page's rows, their deliveries.
    with django_assert_num_queries(4):
        client.get(reverse("notify:list"), {"cursor": ""}, headers=HTMX)


def test_the_list_shows_ones_own_notifications_and_their_delivery(team):
    tell(team.rep, "mine")
    tell(team.mate, "theirs", url="/customers/2/")

    page = session_client(team.rep).get(reverse("notify:list")).content.decode()

    assert page.count('class="notification unread"') == 1
    assert "邮件：待发送" in page
    assert reverse("notify:open", args=[Notification.objects.get(key="theirs").pk]) not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_record(team):
    notification = tell(team.rep)
    client = session_client(team.rep)

    response = client.post(reverse("notify:open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == "/customers/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "没有未读通知" in client.get(reverse("notify:list"), {"unread": "1"}).content.decode()


def test_a_link_elsewhere_is_not_followed(team):
    notification = tell(team.rep, url="https://evil.example.com/")
    response = session_client(team.rep).post(reverse("notify:open", args=[notification.pk]))
    assert response["Location"] == reverse("notify:list")


@pytest.mark.parametrize("route", ["notify:open", "notify:read"])
def test_outsider_gets_404_for_someone_elses_notification(team, route):
    theirs = tell(team.mate)
    response = session_client(team.outsider).post(reverse(route, args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_and_all_read(team):
    first, second = tell(team.rep, "a"), tell(team.rep, "b")
    theirs = tell(team.mate, "c")
    client = session_client(team.rep)

    client.post(reverse("notify:read", args=[first.pk]), {"next": "/notifications/?unread=1"})
    assert badge(client.get(reverse("home"))) == "1"
    response = client.post(reverse("notify:read_all"), {"next": "https://evil.example.com/"})

    assert response["Location"] == reverse("notify:list")
    assert Notification.objects.filter(read_at__isnull=True).get() == theirs
    assert second.pk != theirs.pk


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in ("notify:list", "notify:channels"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- 通知设置 ---------------------------------------------------------------------------------


def test_the_settings_page_is_reached_from_the_account_menu(team):
    home = session_client(team.rep).get(reverse("home")).content.decode()
    assert f'href="{reverse("notify:channels")}"' in home


def test_preferences_are_saved_and_audited(team):
    client = session_client(team.rep)

    response = client.post(reverse("notify:channels"), {"robot": "on", "team_robot": "on"})

    assert response.status_code == 302
    preference = ChannelPreference.objects.get(user=team.rep)
    assert (preference.email, preference.robot, preference.team_robot) == (False, True, True)
    assert AuditEvent.objects.filter(action="notify.preference_update", actor=team.rep).exists()


def test_a_private_webhook_is_refused_with_a_field_message_and_nothing_saved(team, dns):
    client = session_client(team.rep)

    response = client.post(
        reverse("notify:robot_save"),
        {"kind": "wecom", "url": "http://169.254.169.254/latest/meta-data/", "secret": ""},
    )

    assert response.status_code == 422
    assert (
        '<p class="field-error" id="err-url">不允许内网、本机或保留地址（169.254.169.254）</p>'
        in (response.content.decode())
    )
    assert not Robot.objects.exists()


def test_a_robot_is_saved_shown_without_its_token_and_kept_when_fields_are_left_empty(team, dns):
    client = session_client(team.rep)
    url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"

    client.post(reverse("notify:robot_save"), {"kind": "dingtalk", "url": url, "secret": "SECxyz"})
    page = client.get(reverse("notify:channels")).content.decode()
    client.post(reverse("notify:robot_save"), {"kind": "dingtalk", "url": "", "secret": ""})

    assert "https://oapi.dingtalk.com/robot/send?…3456" in page
    assert "abcdef123456" not in page and "SECxyz" not in page
    robot = Robot.objects.get(user=team.rep)
    assert (robot.url, robot.secret) == (url, "SECxyz")


def test_a_rep_may_not_set_the_departments_robot_a_manager_may(team, dns):
    data = {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}

    rep_page = session_client(team.rep).get(reverse("notify:channels")).content.decode()
    refused = session_client(team.rep).post(reverse("notify:team_robot_save"), data)
    saved = session_client(team.manager).post(reverse("notify:team_robot_save"), data)

    assert 'id="team-robot"' not in rep_page
    assert refused.status_code == 403
    assert saved.status_code == 302
    assert Robot.objects.get().department == team.sales
    deleted = session_client(team.rep).post(reverse("notify:team_robot_delete"))
    assert deleted.status_code == 403 and Robot.objects.exists()


def test_the_test_button_sends_through_the_chosen_channels(
    team, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        session_client(team.rep).post(reverse("notify:test"))

    assert Notification.objects.get(recipient=team.rep).title == "测试通知"
    assert [m.to for m in mail.outbox] == [["zw@example.com"]]


def test_robot_kinds_are_offered(team):
    page = session_client(team.rep).get(reverse("notify:channels")).content.decode()
    for value, label in RobotKind.choices:
        assert f'<option value="{value}"' in page and str(label) in page
