"""What a locked-out client sees: JSON for the API, a page for the browser (AXES_LOCKOUT_CALLABLE)."""

from django.http import JsonResponse
from django.shortcuts import render

from kehu.api.errors import error_body
from kehu.core.errors import ErrorCode

MESSAGE = "登录失败次数过多，账号或 IP 已被暂时锁定，请稍后再试。"


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(ErrorCode.LOCKED_OUT, MESSAGE), status=429)
    return render(request, "registration/locked_out.html", {"message": MESSAGE}, status=429)
