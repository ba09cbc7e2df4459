from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from kehu.core.sections import render_section, sections_for
from kehu.core.tasks import last_heartbeat_age
from kehu.core.workbench import panels_for


@login_required
def home(request):
    """今日: what the signed-in person has to do today, as the panels apps registered
    (core.workbench)."""
    return render(request, "core/home.html", {"panels": panels_for(request)})


@login_required
def settings_index(request):
    """设置: the sections the user may open (core.sections); none at all is 无权访问."""
    if not sections_for(request.user):
        raise PermissionDenied(_("你的角色没有可以打开的设置。"))
    return render_section(request, "core/settings_index.html", "core/settings_index.html", {})


@never_cache
def healthz(request):
    """Liveness for load balancers: the database answers and the queue storage is reachable."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        pending = HUEY.pending_count()
        age = last_heartbeat_age()
        checks["queue"] = "ok"
        checks["queue_pending"] = pending
        checks["worker_seen_seconds_ago"] = None if age is None else round(age)
    except Exception as exc:
        checks["queue"] = f"error: {type(exc).__name__}"
    healthy = checks["database"] == "ok" and checks["queue"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
