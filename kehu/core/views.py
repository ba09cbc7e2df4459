from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from kehu.core.tasks import last_heartbeat_age


@login_required
def home(request):
    """今日: what the signed-in person has to do today. Later modules add their panels."""
    return render(request, "core/home.html", {})


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
