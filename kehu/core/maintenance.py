"""The Django admin as an administrator's maintenance tool, at an unadvertised path
(kehu/urls.py).

Everyday administration happens in the product's own 设置 pages (core.sections). The admin is
kept for what those pages do not cover (audit tables, repairs), for holders of the
administrator role only (`is_staff` follows that role: nobody is a Django superuser). Anyone
else is answered like any other page they may not open: a signed-in person gets the in-product
无权访问 page, a visitor the product's login page — never the admin's own login form.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MaintenanceSite(admin.AdminSite):
    site_header = _("客户 Kehu 维护")
    site_title = _("客户 Kehu 维护")
    index_title = _("维护")
    site_url = "/settings/"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied(_("维护工具只对管理员开放。"))
        return redirect_to_login(request.GET.get("next") or request.path, reverse("login"))
