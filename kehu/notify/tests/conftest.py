"""Set-up of the notification tests: a small team, a fake DNS, and a robot server on loopback.

No test reaches the network: names resolve through `dns` (a table; IP literals resolve as
themselves), and robots are a local HTTP server that records what it receives. Loopback is
refused like any private address, so the tests that send to it allow it as an intranet host
(KEHU_WEBHOOK_INTRANET_HOSTS), as an administrator of a private 企业微信 deployment would.
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from kehu.accounts.choices import RoleCode
from kehu.accounts.models import User
from kehu.core.testing import make_department, make_user

# An address of the public internet (never connected to: names resolve to it only where a
# test saves a robot, which resolves but does not send).
PUBLIC_ADDRESS = "140.205.60.46"


@pytest.fixture
def team():
    """销售一部: 王经理 (销售经理, may set the department's robot), 张伟 and 李娜 (销售代表);
    销售二部: 陈静. Everyone has an email address; 张伟 a mobile for @-mentions."""
    sales = make_department("销售一部")
    other = make_department("销售二部")
    people = SimpleNamespace(
        sales=sales,
        other=other,
        manager=make_user(
            "manager",
            sales,
            RoleCode.SALES_MANAGER,
            display_name="王经理",
            email="wang@example.com",
        ),
        rep=make_user(
            "rep", sales, RoleCode.SALES_REP, display_name="张伟", email="zw@example.com"
        ),
        mate=make_user(
            "mate", sales, RoleCode.SALES_REP, display_name="李娜", email="ln@example.com"
        ),
        outsider=make_user(
            "outsider", other, RoleCode.SALES_REP, display_name="陈静", email="cj@example.com"
        ),
    )
    User.objects.filter(pk=people.rep.pk).update(mobile="13812345678")
    people.rep.refresh_from_db()
    return people


@pytest.fixture
def dns(monkeypatch):
    """A table of host name → addresses used instead of the resolver."""
    table = {"oapi.dingtalk.com": [PUBLIC_ADDRESS], "qyapi.weixin.qq.com": [PUBLIC_ADDRESS]}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in table[host]
            ]
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr("kehu.notify.webhooks.socket.getaddrinfo", getaddrinfo)
    return table


class RobotServer:
    """A robot webhook on 127.0.0.1. Paths: /ok answers errcode 0, /refuse a robot's error,
    /redirect a 302 to an intranet address, /slow answers after the timeout, /broken 500."""

    def __init__(self):
        self.received: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                server.received.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                route = self.path.split("?")[0]
                if route == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://10.0.0.1/robot/send")
                    self.end_headers()
                    return
                if route == "/slow":
                    time.sleep(1.5)
                if route == "/broken":
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = (
                    {"errcode": 310000, "errmsg": "sign not match"}
                    if route == "/refuse"
                    else {"errcode": 0, "errmsg": "ok"}
                )
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def robot_server(settings):
    settings.KEHU_WEBHOOK_INTRANET_HOSTS = ["127.0.0.1"]
    settings.KEHU_WEBHOOK_TIMEOUT_SECONDS = 1
    server = RobotServer()
    yield server
    server.close()
