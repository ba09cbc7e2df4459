"""notify() and the outbox: each event reaches each person once per channel they chose, even when
it is told twice, when a worker dies holding a delivery, or when two workers race for it;
failures are retried with backoff and end visibly failed, with their reason."""

import datetime as dt
import json
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.notify import selectors, services
from kehu.notify.choices import Channel, RobotKind
from kehu.notify.models import Delivery, Notification
from kehu.notify.webhooks import dingtalk_sign

pytestmark = pytest.mark.django_db

KEY = "followups.task:7:reminder"


def tell(recipients, key=KEY, **fields):
    return services.notify(
        recipients=recipients,
        kind=fields.pop("kind", "task_reminder"),
        title=fields.pop("title", "跟进提醒：北京字节跳动"),
        body=fields.pop("body", "今天 15:00 电话回访"),
        url=fields.pop("url", "/customers/7/"),
        key=key,
    )


def states(key=KEY) -> dict[str, str]:
    return {d["channel"]: d["state"] for d in selectors.deliveries_by_key(keys=[key])[key]}


def robot_only(team, url: str, kind=RobotKind.WECOM):
    """张伟 is told through his own robot at `url`, and not by email."""
    services.preference_update(
        user=team.rep, email=False, robot=True, team_robot=False, actor=team.rep
    )
    return services.robot_save(actor=team.rep, kind=kind, url=url, secret="")


class WorkerDied(BaseException):
    """A worker process ending mid-delivery (killed, out of memory): nothing of it survives."""


# --- writing ----------------------------------------------------------------------------------


def test_notify_writes_a_notification_and_an_outbox_row_per_chosen_channel(team, robot_server):
    services.robot_save(
        actor=team.rep, kind=RobotKind.WECOM, url=robot_server.url("/ok"), secret=""
    )

    made = tell([team.rep, team.mate])

    assert {n.recipient_id for n in made} == {team.rep.pk, team.mate.pk}
    by_person = {
        n.recipient_id: {d.channel for d in n.deliveries.all()} for n in Notification.objects.all()
    }
    assert by_person == {team.rep.pk: {"email", "robot"}, team.mate.pk: {"email"}}


def test_telling_the_same_event_twice_tells_nobody_twice(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell([team.rep])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = tell([team.rep, team.mate])

    assert [n.recipient_id for n in again] == [team.mate.pk]
    assert Notification.objects.filter(key=KEY, recipient=team.rep).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ln@example.com", "zw@example.com"]
    assert len(callbacks) == 1


def test_nothing_is_sent_before_the_callers_transaction_commits(team):
    # pytest's transaction never commits: the deliveries stay in the outbox.
    tell([team.rep])
    assert mail.outbox == []
    assert states() == {"email": "pending"}


def test_inactive_recipients_and_people_without_email_get_only_what_they_can(team):
    team.mate.is_active = False
    team.mate.save()
    team.manager.email = ""
    team.manager.save()

    made = tell([team.mate, team.manager])

    assert [n.recipient_id for n in made] == [team.manager.pk]
    assert states() == {}


# --- sending: exactly once --------------------------------------------------------------------


def test_the_worker_sends_after_commit_and_marks_sent(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell([team.rep])

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "跟进提醒：北京字节跳动"
    assert "今天 15:00 电话回访" in message.body
    assert "http://127.0.0.1:8000/customers/7/" in message.body
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.claimed_until) == ("sent", 1, None)
    assert services.deliveries_sweep(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_a_worker_that_dies_before_sending_is_replaced_once_its_claim_expires(team):
    tell([team.rep])
    delivery = Delivery.objects.get()
    now = timezone.now()

    with (
        mock.patch("kehu.notify.services._send", side_effect=WorkerDied),
        pytest.raises(WorkerDied),
    ):
        services.delivery_attempt(delivery.pk, now=now)

    # The claim stands: another worker leaves the row alone until it expires.
    assert services.deliveries_sweep(now=now + dt.timedelta(minutes=1)) == 0
    assert services.delivery_attempt(delivery.pk, now=now + dt.timedelta(minutes=1)) is None
    assert mail.outbox == []

    after_expiry = now + services.CLAIM_DURATION + dt.timedelta(seconds=1)
    assert services.deliveries_sweep(now=after_expiry) == 1
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)

    # A restarted worker sweeping later, or the first one's task run again, sends nothing.
    assert services.deliveries_sweep(now=after_expiry + dt.timedelta(hours=1)) == 0
    assert services.delivery_attempt(delivery.pk, now=after_expiry + dt.timedelta(hours=1)) is None
    assert len(mail.outbox) == 1


def test_a_worker_that_dies_after_sending_resends_with_the_same_message_id(team):
    """The one window no outbox closes (sent, then died before marking sent): the copy carries
    the same Message-ID, which lets a mail server or client drop it."""
    tell([team.rep])
    delivery = Delivery.objects.get()
    now = timezone.now()
    real_send = services._send

    def send_then_die(d):
        real_send(d)
        raise WorkerDied

    with (
        mock.patch("kehu.notify.services._send", side_effect=send_then_die),
        pytest.raises(WorkerDied),
    ):
        services.delivery_attempt(delivery.pk, now=now)
    services.deliveries_sweep(now=now + services.CLAIM_DURATION + dt.timedelta(seconds=1))

    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]
    assert Delivery.objects.get().state == "sent"


def test_of_two_workers_only_one_claims_a_delivery(team):
    tell([team.rep])
    delivery = Delivery.objects.get()
    second_worker = []
    real_send = services._send

    def send_while_another_worker_tries(d):
        second_worker.append(services.delivery_attempt(d.pk))
        real_send(d)

    with mock.patch("kehu.notify.services._send", side_effect=send_while_another_worker_tries):
        assert services.delivery_attempt(delivery.pk) == "sent"

    assert second_worker == [None]
    assert len(mail.outbox) == 1


# --- failures -----------------------------------------------------------------------------------


def test_failures_are_retried_with_backoff_then_failed_with_the_reason(
    team, robot_server, settings
):
    settings.KEHU_DELIVERY_MAX_ATTEMPTS = 3
    robot_only(team, robot_server.url("/broken"))
    tell([team.rep])
    delivery = Delivery.objects.get()
    now = timezone.now()

    assert services.delivery_attempt(delivery.pk, now=now) == "pending"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)
    assert delivery.last_error == "对方返回 HTTP 500"
    assert services.deliveries_sweep(now=now + dt.timedelta(seconds=59)) == 0

    assert services.deliveries_sweep(now=now + dt.timedelta(minutes=1)) == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1) + dt.timedelta(minutes=2)

    assert services.deliveries_sweep(now=now + dt.timedelta(minutes=3)) == 1
    [failed] = selectors.deliveries_by_key(keys=[KEY])[KEY]
    assert (failed["state"], failed["attempts"], failed["last_error"]) == (
        "failed",
        3,
        "对方返回 HTTP 500",
    )
    assert failed["recipient_id"] == team.rep.pk
    assert services.deliveries_sweep(now=now + dt.timedelta(days=1)) == 0
    assert len(robot_server.received) == 3


def test_a_robot_deleted_before_sending_fails_the_delivery_at_once(team, robot_server):
    robot = services.robot_save(
        actor=team.rep, kind=RobotKind.WECOM, url=robot_server.url("/ok"), secret=""
    )
    tell([team.rep])
    services.robot_delete(robot=robot, actor=team.rep)

    services.deliveries_sweep()

    delivery = Delivery.objects.get(channel=Channel.ROBOT)
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 1, "机器人已删除")
    assert robot_server.received == []


def test_workers_that_keep_dying_end_the_delivery_failed(team, settings):
    settings.KEHU_DELIVERY_MAX_ATTEMPTS = 2
    tell([team.rep])
    delivery = Delivery.objects.get()
    now = timezone.now()
    with mock.patch("kehu.notify.services._send", side_effect=WorkerDied):
        for attempt in range(2):
            with pytest.raises(WorkerDied):
                services.delivery_attempt(
                    delivery.pk,
                    now=now + attempt * (services.CLAIM_DURATION + dt.timedelta(seconds=1)),
                )

    services.deliveries_sweep(now=now + 3 * services.CLAIM_DURATION)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("failed", "发送过程多次中断")
    assert mail.outbox == []


# --- robots: formats, signature, mentions -------------------------------------------------------


def test_wecom_robot_gets_a_text_message(team, robot_server, django_capture_on_commit_callbacks):
    services.robot_save(
        actor=team.rep, kind=RobotKind.WECOM, url=robot_server.url("/ok?key=abc"), secret=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        tell([team.rep])

    [request] = robot_server.received
    assert request["path"] == "/ok?key=abc"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["json"] == {
        "msgtype": "text",
        "text": {
            "content": "跟进提醒：北京字节跳动\n今天 15:00 电话回访\nhttp://127.0.0.1:8000/customers/7/"
        },
    }
    assert states() == {"email": "sent", "robot": "sent"}


def test_dingtalk_team_robot_is_signed_and_mentions_the_member(
    team, robot_server, django_capture_on_commit_callbacks
):
    services.robot_save(
        actor=team.manager,
        department=team.sales,
        kind=RobotKind.DINGTALK,
        url=robot_server.url("/ok?access_token=t0k"),
        secret="SECa",
    )
    services.preference_update(
        user=team.rep, email=False, robot=True, team_robot=True, actor=team.rep
    )
    with (
        mock.patch("kehu.notify.services.time.time", return_value=1_700_000_000.0),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tell([team.rep])

    [request] = robot_server.received
    assert request["path"] == (
        "/ok?access_token=t0k&timestamp=1700000000000"
        "&sign=4ekVoRzSayY%2BrG73C%2FIjxUSQRHZ4aVH505qvFFtN5%2F8%3D"
    )
    assert request["json"] == {
        "msgtype": "text",
        "text": {
            "content": "跟进提醒：北京字节跳动\n今天 15:00 电话回访\n"
            "http://127.0.0.1:8000/customers/7/\n@张伟"
        },
        "at": {"atMobiles": ["13812345678"], "isAtAll": False},
    }


def test_dingtalk_signature_matches_a_vector_computed_independently():
    # printf '%s\n%s' 1700000000000 SECa | openssl dgst -sha256 -hmac SECa -binary | base64
    assert dingtalk_sign("SECa", 1_700_000_000_000) == (
        "4ekVoRzSayY%2BrG73C%2FIjxUSQRHZ4aVH505qvFFtN5%2F8%3D"
    )


def test_a_robot_that_refuses_the_message_is_a_failure_with_its_answer(team, robot_server):
    robot_only(team, robot_server.url("/refuse"), RobotKind.DINGTALK)
    tell([team.rep])

    services.deliveries_sweep()

    [delivery] = selectors.deliveries_by_key(keys=[KEY])[KEY]
    assert delivery["state"] == "pending"
    assert delivery["last_error"] == "机器人拒绝：310000 sign not match"


def test_a_redirect_is_not_followed(team, robot_server):
    robot_only(team, robot_server.url("/redirect"))
    tell([team.rep])

    services.deliveries_sweep()

    assert [r["path"] for r in robot_server.received] == ["/redirect"]
    assert Delivery.objects.get().last_error == "对方要求重定向（HTTP 302），不跟随"


def test_a_robot_that_does_not_answer_in_time_is_a_failure(team, robot_server):
    robot_only(team, robot_server.url("/slow"))
    tell([team.rep])

    services.deliveries_sweep()

    assert Delivery.objects.get().last_error == "连接超时（1 秒）"


def test_a_name_that_resolves_to_the_intranet_by_send_time_is_refused_then(team, dns):
    robot_only(team, "https://oapi.dingtalk.com/robot/send?access_token=x", RobotKind.DINGTALK)
    tell([team.rep])
    dns["oapi.dingtalk.com"] = ["10.1.2.3"]

    services.deliveries_sweep()

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_error) == (
        "failed",
        "不允许内网、本机或保留地址（10.1.2.3）",
    )


# --- channel settings ---------------------------------------------------------------------------


def test_channel_changes_are_audited_without_the_token_or_secret(team, dns):
    services.robot_save(
        actor=team.rep,
        kind=RobotKind.DINGTALK,
        url="https://oapi.dingtalk.com/robot/send?access_token=s3cr3t",
        secret="SECsecret",
    )
    services.preference_update(
        user=team.rep, email=False, robot=True, team_robot=True, actor=team.rep
    )

    events = {e.action: e.data for e in AuditEvent.objects.filter(action__startswith="notify.")}
    assert events["notify.robot_save"] == {
        "kind": "dingtalk",
        "host": "oapi.dingtalk.com",
        "signed": True,
    }
    assert events["notify.preference_update"]["after"] == {
        "email": False,
        "robot": True,
        "team": True,
    }
    assert "s3cr3t" not in json.dumps(events) and "SECsecret" not in json.dumps(events)


def test_email_is_offered_only_where_mail_can_go_out(team, settings):
    settings.PRODUCTION = True
    settings.EMAIL_CONFIGURED = False
    tell([team.rep])
    assert states() == {}

    settings.EMAIL_CONFIGURED = True
    tell([team.rep], key="another")
    assert states("another") == {"email": "pending"}
