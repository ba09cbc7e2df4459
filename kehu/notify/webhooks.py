"""Robot webhooks (企业微信 and 钉钉 群机器人): their message formats, 钉钉's signature, and a POST
that cannot be turned against the intranet.

A webhook url is typed by a user, so the server must not become their proxy into the company
network (SSRF): only http(s); the host is resolved and every address it resolves to must be
public (not private, loopback, link-local, reserved, multicast or unspecified); the request
goes to the address that was checked (a name cannot resolve to a public address for the check
and to an internal one for the connection); redirects are never followed; timeouts are short
and the answer read is small. Host names listed in KEHU_WEBHOOK_INTRANET_HOSTS (a robot server
of a private 企业微信/钉钉 deployment) may resolve to private addresses: an administrator's
explicit choice, never a user's.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from kehu.notify.choices import RobotKind

MAX_RESPONSE_BYTES = 64 * 1024


class WebhookError(Exception):
    """A robot could not be reached or refused the message; `permanent` when retrying cannot
    help (the url is refused), so the delivery fails at once."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query


def parse_target(url: str) -> Target:
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise WebhookError(_("地址格式不正确"), permanent=True) from None
    if parts.scheme not in ("http", "https"):
        raise WebhookError(_("只支持 http 或 https 地址"), permanent=True)
    if not parts.hostname:
        raise WebhookError(_("地址缺少主机名"), permanent=True)
    if parts.username or parts.password:
        raise WebhookError(_("地址中不能包含用户名或密码"), permanent=True)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default_port, path)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope id is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def vetted_address(target: Target) -> str:
    """The address to connect to: the host's first address, after every address it resolves
    to was found public (or the host is one the administrator allows in the intranet)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookError(_("无法解析主机名 %(host)s") % {"host": target.host}) from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookError(_("无法解析主机名 %(host)s") % {"host": target.host})
    if target.host.lower() not in settings.KEHU_WEBHOOK_INTRANET_HOSTS:
        for address in addresses:
            if not is_public(address):
                raise WebhookError(
                    _("不允许内网、本机或保留地址（%(address)s）") % {"address": address},
                    permanent=True,
                )
    return addresses[0]


def check_url(url: str) -> None:
    """Raise WebhookError unless `url` may be saved as a robot's webhook."""
    vetted_address(parse_target(url))


def post_json(url: str, payload: dict) -> dict:
    """POST `payload` to `url` as JSON and return the JSON answer; WebhookError on anything
    else (refused address, timeout, redirect, HTTP error, an answer that is not JSON)."""
    target = parse_target(url)
    address = vetted_address(target)
    timeout = settings.KEHU_WEBHOOK_TIMEOUT_SECONDS
    connection_class = (
        http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(target.host, target.port, timeout=timeout)

    # Connect to the vetted address; TLS still verifies the certificate for the host name.
    def connect_vetted(_address, timeout, source_address=None):
        return socket.create_connection((address, target.port), timeout, source_address)

    connection._create_connection = connect_vetted
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Kehu"},
        )
        response = connection.getresponse()
        raw = response.read(MAX_RESPONSE_BYTES)
    except TimeoutError:
        raise WebhookError(_("连接超时（%(seconds)s 秒）") % {"seconds": timeout}) from None
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookError(_("连接失败：%(error)s") % {"error": type(exc).__name__}) from None
    finally:
        connection.close()
    if 300 <= response.status < 400:
        raise WebhookError(
            _("对方要求重定向（HTTP %(status)s），不跟随") % {"status": response.status}
        )
    if response.status >= 400:
        raise WebhookError(_("对方返回 HTTP %(status)s") % {"status": response.status})
    try:
        answer = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise WebhookError(_("对方的回答不是 JSON")) from None
    return answer if isinstance(answer, dict) else {}


# --- the robots' formats --------------------------------------------------------------------


def text_content(*, title: str, body: str, link: str, mention_name: str = "") -> str:
    """The message as plain text: both robots link urls in text themselves, and text cannot
    carry markup from a customer's name into the group chat."""
    lines = [title]
    if body:
        lines.append(body)
    if link:
        lines.append(link)
    if mention_name:
        lines.append(f"@{mention_name}")
    return "\n".join(lines)


def wecom_payload(*, content: str, mention_mobile: str = "") -> dict:
    """企业微信群机器人 text message; `mentioned_mobile_list` @-mentions the member."""
    text = {"content": content}
    if mention_mobile:
        text["mentioned_mobile_list"] = [mention_mobile]
    return {"msgtype": "text", "text": text}


def dingtalk_payload(*, content: str, mention_mobile: str = "") -> dict:
    """钉钉自定义机器人 text message; `at.atMobiles` @-mentions the member."""
    return {
        "msgtype": "text",
        "text": {"content": content},
        "at": {"atMobiles": [mention_mobile] if mention_mobile else [], "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, Base64, url-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook url with 钉钉's timestamp and sign parameters (when the robot has a secret)."""
    if not secret:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def robot_send(*, kind: str, url: str, secret: str, content: str, mention_mobile: str, now_ms):
    """Send `content` to a robot; WebhookError unless the robot answers errcode 0."""
    if kind == RobotKind.DINGTALK:
        payload = dingtalk_payload(content=content, mention_mobile=mention_mobile)
        url = dingtalk_url(url, secret, now_ms)
    else:
        payload = wecom_payload(content=content, mention_mobile=mention_mobile)
    answer = post_json(url, payload)
    if answer.get("errcode") != 0:
        raise WebhookError(
            _("机器人拒绝：%(code)s %(message)s")
            % {"code": answer.get("errcode"), "message": str(answer.get("errmsg", ""))[:200]}
        )
