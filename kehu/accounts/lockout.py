"""Login lockout and throttling (django-axes, DESIGN.md "Login lockout"): which attempts are
refused, what a refused client sees — JSON for the API, a page for the browser, both 429 with
Retry-After (AXES_LOCKOUT_CALLABLE) — and which address failures count against
(AXES_CLIENT_IP_CALLABLE).

Two rules, so that nobody can lock someone else out:
- a user name is locked **from one address** after KEHU_LOGIN_FAILURE_LIMIT failures there
  (axes with the parameters [["username", "ip_address"]]): the administrator's name, tried five
  times from anywhere, stays open from everywhere else;
- an address that fails too often, whatever names it tries, waits before each further attempt,
  longer every time (1, 2, 4 … seconds, up to KEHU_LOGIN_MAX_DELAY_SECONDS) after its first
  KEHU_LOGIN_ADDRESS_FAILURES: guessing is slowed, but an office behind one address is
  never shut out for the cool-off.
"""

import datetime as dt
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from kehu.api.errors import error_body
from kehu.core.errors import ErrorCode

MESSAGE = "登录失败次数过多，账号或 IP 已被暂时锁定，请稍后再试。"


def _seconds_until(moment: dt.datetime) -> int | None:
    """Whole seconds from now until `moment` (at least 1), None once it has passed."""
    left = (moment - timezone.now()).total_seconds()
    return math.ceil(left) if left > 0 else None


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with the address throttle beside its (user name, address) lock.

    A refused attempt is not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False):
    it tested no password, and counting it would let anyone extend the lock or the delay."""

    def is_locked(self, request, credentials=None) -> bool:
        wait = self.name_lock_wait(request, credentials) or self.address_wait(request)
        request.kehu_retry_after = wait
        return wait is not None

    def name_lock_wait(self, request, credentials=None) -> int | None:
        """Seconds left of the lock on this user name from this address."""
        failures, last = self._failures(*self.get_user_attempts(request, credentials))
        if failures < get_failure_limit(request, credentials):
            return None
        return _seconds_until(last + get_cool_off(request))

    def address_wait(self, request) -> int | None:
        """Seconds this address still waits before its next attempt."""
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=timezone.now() - get_cool_off(request),
        )
        failures, last = self._failures(attempts)
        over = failures - settings.KEHU_LOGIN_ADDRESS_FAILURES
        if over < 0:
            return None
        delay = min(2**over, settings.KEHU_LOGIN_MAX_DELAY_SECONDS)
        return _seconds_until(last + dt.timedelta(seconds=delay))

    @staticmethod
    def _failures(*attempt_sets) -> tuple[int, dt.datetime | None]:
        """Failures counted in the attempt rows, and when the latest was."""
        failures, last = 0, None
        for attempts in attempt_sets:
            row = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
            failures += row["n"] or 0
            if row["last"] is not None and (last is None or row["last"] > last):
                last = row["last"]
        return failures, last


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    # The failure that reached the limit was just counted: its lock lasts the whole cool-off.
    wait = getattr(request, "kehu_retry_after", None) or math.ceil(
        get_cool_off(request).total_seconds()
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(ErrorCode.LOCKED_OUT, MESSAGE), status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": MESSAGE}, status=429)
    response["Retry-After"] = str(wait)
    return response


def client_ip(request) -> str | None:
    """The client's address, seen through KEHU_PROXY_COUNT trusted reverse proxies.

    Without it every login behind a proxy comes from the proxy's address, and five failures by
    anyone lock the whole company out. Each trusted proxy appends the address it received from
    to X-Forwarded-For, so the client is that many entries from the right; entries further left
    are whatever the client chose to send and are not trusted.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    if proxies < 1:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]
