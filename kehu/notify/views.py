"""The notification centre (通知) and the channel settings page (通知设置): the user's own
notifications and channels only; someone else's notification is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import ValidationFailed
from kehu.core.htmx import render_page_or_partial
from kehu.core.pages import page_errors, redirect_page
from kehu.notify import selectors, services
from kehu.notify.forms import PreferenceForm, RobotForm
from kehu.notify.present import delivery_line, masked_url

# --- the notification centre ------------------------------------------------------------------


def _list_url(unread: bool, cursor: str | None = None) -> str:
    params = QueryDict(mutable=True)
    if unread:
        params["unread"] = "1"
    if cursor:
        params["cursor"] = cursor
    query = params.urlencode()
    return f"{reverse('notify:list')}?{query}" if query else reverse("notify:list")


@login_required
@require_GET
@page_errors
def notification_list(request):
    """The list, newest first; htmx asks for the next rows only (加载更多)."""
    unread = request.GET.get("unread") == "1"
    cursor = request.GET.get("cursor") or None
    notices = []
    try:
        page = selectors.notification_list(user=request.user, unread=unread, cursor=cursor)
    except ValidationFailed as exc:
        notices, page = [error["message"] for error in exc.errors], None
    items = page.items if page else []
    deliveries = selectors.deliveries_by_notification([row["id"] for row in items])
    rows = [
        {**row, "deliveries": [delivery_line(d) for d in deliveries[row["id"]]]} for row in items
    ]
    context = {
        "rows": rows,
        "unread": unread,
        "notices": notices,
        "next_url": _list_url(unread, page.next) if page and page.next else "",
        "all_url": _list_url(False),
        "unread_url": _list_url(True),
    }
    return render_page_or_partial(
        request,
        "notify/notification_list.html",
        "notify/_notification_rows.html",
        context,
    )


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("notify:list")


@login_required
@require_POST
@page_errors
def notification_open(request, pk: int):
    """Mark the notification read and go to the record it is about."""
    notification = selectors.notification_get(user=request.user, notification_id=pk)
    services.notification_mark_read(notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("notify:list")
    return redirect_page(request, target)


@login_required
@require_POST
@page_errors
def notification_read(request, pk: int):
    notification = selectors.notification_get(user=request.user, notification_id=pk)
    services.notification_mark_read(notification=notification)
    return redirect_page(request, _back(request))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)s 条通知标为已读") % {"count": count})
    return redirect_page(request, _back(request))


# --- channel settings -----------------------------------------------------------------------


def _robot_form(robot, data=None) -> RobotForm:
    return RobotForm(data, initial={"kind": robot.kind} if robot else None)


def _channels_page(request, *, status=200, **forms):
    user = request.user
    robot = selectors.robot_of_user(user=user)
    team_robot = selectors.robot_of_department(department=user.department)
    preference = selectors.preference_get(user=user)
    context = {
        "preference_form": forms.get("preference_form")
        or PreferenceForm(
            initial={
                "email": preference.email,
                "robot": preference.robot,
                "team_robot": preference.team_robot,
            }
        ),
        "robot": robot,
        "robot_url": masked_url(robot.url) if robot else "",
        "robot_form": forms.get("robot_form") or _robot_form(robot),
        "team_robot": team_robot,
        "team_robot_url": masked_url(team_robot.url) if team_robot else "",
        "team_robot_form": forms.get("team_robot_form") or _robot_form(team_robot),
        "can_manage_team_robot": services.can_manage_team_robot(user),
        "robot_save_url": reverse("notify:robot_save"),
        "robot_delete_url": reverse("notify:robot_delete"),
        "team_robot_save_url": reverse("notify:team_robot_save"),
        "team_robot_delete_url": reverse("notify:team_robot_delete"),
        "email_available": services.email_available(),
    }
    return render(request, "notify/channels.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def channels(request):
    """通知设置: which channels the user wants; POST saves those choices."""
    if request.method == "GET":
        return _channels_page(request)
    form = PreferenceForm(request.POST)
    form.is_valid()  # booleans: every input is valid
    services.preference_update(user=request.user, actor=request.user, **form.cleaned_data)
    messages.success(request, _("通知设置已保存"))
    return redirect_page(request, reverse("notify:channels"))


def _saved_robot(request, *, team: bool):
    """The user's own robot, or with `team` their department's (None when there is none)."""
    if team:
        return selectors.robot_of_department(department=request.user.department)
    return selectors.robot_of_user(user=request.user)


def _robot_save(request, *, team: bool):
    saved = _saved_robot(request, team=team)
    form = RobotForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.robot_save(
                actor=request.user,
                department=request.user.department if team else None,
                kind=data["kind"],
                url=data["url"] or (saved.url if saved else ""),
                secret=data["secret"] or (saved.secret if saved else ""),
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                form.add_error(error["field"], error["message"])
    if form.errors:
        form_name = "team_robot_form" if team else "robot_form"
        return _channels_page(request, status=422, **{form_name: form})
    messages.success(request, _("群机器人已保存"))
    return redirect_page(request, reverse("notify:channels"))


def _robot_delete(request, *, team: bool):
    robot = _saved_robot(request, team=team)
    if robot is not None:
        services.robot_delete(robot=robot, actor=request.user)
        messages.success(request, _("已删除群机器人"))
    return redirect_page(request, reverse("notify:channels"))


@login_required
@require_POST
@page_errors
def robot_save(request):
    return _robot_save(request, team=False)


@login_required
@require_POST
@page_errors
def team_robot_save(request):
    return _robot_save(request, team=True)


@login_required
@require_POST
@page_errors
def robot_delete(request):
    return _robot_delete(request, team=False)


@login_required
@require_POST
@page_errors
def team_robot_delete(request):
    return _robot_delete(request, team=True)


@login_required
@require_POST
def channels_test(request):
    """Send a test notification through every channel the user chose."""
    services.notify_test(user=request.user)
    messages.success(request, _("已发送测试通知，请查看各渠道"))
    return redirect_page(request, reverse("notify:channels"))
