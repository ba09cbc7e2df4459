"""A robot's webhook url cannot point the server into the intranet (SSRF): it is refused on save
with a message on the url field, and nothing is saved."""

import pytest

from kehu.core.errors import ValidationFailed
from kehu.notify import services
from kehu.notify.choices import RobotKind
from kehu.notify.models import Robot
from kehu.notify.webhooks import is_public

pytestmark = pytest.mark.django_db


def save(team, url, kind=RobotKind.WECOM, secret=""):
    return services.robot_save(actor=team.rep, kind=kind, url=url, secret=secret)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send", "只支持 http 或 https 地址"),
        ("file:///etc/passwd", "只支持 http 或 https 地址"),
        ("qyapi.weixin.qq.com/cgi-bin/webhook/send", "只支持 http 或 https 地址"),
        ("https://user:pw@qyapi.weixin.qq.com/", "地址中不能包含用户名或密码"),
        ("http://127.0.0.1:8000/api/v1/users", "不允许内网、本机或保留地址（127.0.0.1）"),
        ("http://10.1.2.3/robot", "不允许内网、本机或保留地址（10.1.2.3）"),
        ("http://172.16.0.9/robot", "不允许内网、本机或保留地址（172.16.0.9）"),
        ("http://192.168.1.1/robot", "不允许内网、本机或保留地址（192.168.1.1）"),
        (
            "http://169.254.169.254/latest/meta-data",
            "不允许内网、本机或保留地址（169.254.169.254）",
        ),
        ("http://[::1]:8000/", "不允许内网、本机或保留地址（::1）"),
        ("http://[::ffff:127.0.0.1]/", "不允许内网、本机或保留地址（::ffff:127.0.0.1）"),
        ("http://[fe80::1]/", "不允许内网、本机或保留地址（fe80::1）"),
        ("http://0.0.0.0/", "不允许内网、本机或保留地址（0.0.0.0）"),
        ("http://100.64.0.1/", "不允许内网、本机或保留地址（100.64.0.1）"),
        ("http://intranet.example.com/robot", "不允许内网、本机或保留地址（192.168.10.20）"),
        ("http://both.example.com/robot", "不允许内网、本机或保留地址（10.0.0.8）"),
        ("http://nowhere.example.com/robot", "无法解析主机名 nowhere.example.com"),
        ("http://qyapi.weixin.qq.com:99999/", "地址格式不正确"),
    ],
)
def test_unsafe_urls_are_refused_on_save(team, dns, url, message):
    dns["intranet.example.com"] = ["192.168.10.20"]
    dns["both.example.com"] = ["140.205.60.46", "10.0.0.8"]

    with pytest.raises(ValidationFailed) as refused:
        save(team, url)

    assert refused.value.errors == [{"field": "url", "message": message}]
    assert not Robot.objects.exists()


def test_a_public_robot_url_is_saved(team, dns):
    robot = save(team, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    assert (robot.user, robot.kind) == (team.rep, "wecom")


def test_an_intranet_host_the_administrator_allows_is_accepted(team, dns, settings):
    dns["robot.corp.example"] = ["10.8.0.2"]
    settings.KEHU_WEBHOOK_INTRANET_HOSTS = ["robot.corp.example"]
    assert save(team, "http://robot.corp.example/cgi-bin/webhook/send?key=abc").pk


def test_kind_and_url_are_required_with_field_messages(team):
    with pytest.raises(ValidationFailed) as refused:
        services.robot_save(actor=team.rep, kind="slack", url="", secret="x" * 201)
    assert {e["field"]: e["message"] for e in refused.value.errors} == {
        "kind": "请选择企业微信或钉钉",
        "url": "请填写 Webhook 地址",
        "secret": "最多 200 个字符",
    }


def test_only_a_holder_of_the_permission_sets_their_own_departments_robot(team, dns):
    url = "https://oapi.dingtalk.com/robot/send?access_token=x"
    with pytest.raises(services.PermissionDenied):
        services.robot_save(
            actor=team.rep, department=team.sales, kind="dingtalk", url=url, secret=""
        )
    with pytest.raises(services.PermissionDenied):
        services.robot_save(
            actor=team.manager, department=team.other, kind="dingtalk", url=url, secret=""
        )
    robot = services.robot_save(
        actor=team.manager, department=team.sales, kind="dingtalk", url=url, secret=""
    )
    assert robot.department == team.sales


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("140.205.60.46", True),
        ("2408:4000::1", True),
        ("127.0.0.2", False),
        ("192.0.2.1", False),  # documentation range
        ("224.0.0.1", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("fd00::1", False),  # unique local
        ("::ffff:10.0.0.1", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert is_public(address) is public
