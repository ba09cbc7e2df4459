"""Login lockout (django-axes): what a locked-out client sees — JSON for the API, a page for the
browser (AXES_LOCKOUT_CALLABLE) — and which address the failures count against
(AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from kehu.api.errors import error_body
from kehu.core.errors import ErrorCode

MESSAGE = "登录失败次数过多，账号或 IP 已被暂时锁定，请稍后再试。"


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(ErrorCode.LOCKED_OUT, MESSAGE), status=429)
    return render(request, "registration/locked_out.html", {"message": MESSAGE}, status=429)


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
