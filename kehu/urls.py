from django.contrib import admin
from django.urls import include, path

from kehu.api.api import api
from kehu.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("kehu.accounts.urls")),
    path("customers/duplicates/", include("kehu.dedup.urls")),
    path("customers/", include("kehu.customers.urls")),
    path("notifications/", include("kehu.notify.urls")),
    path("files/", include("kehu.files.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("settings/", core_views.settings_index, name="settings"),
    path("settings/", include("kehu.accounts.settings_urls")),
    path("settings/channels/", include("kehu.customers.settings_urls")),
    path("settings/numbering/", include("kehu.numbering.urls")),
    path("settings/duplicates/", include("kehu.dedup.settings_urls")),
    # The Django admin, for administrators' maintenance only (core.maintenance): not linked.
    path("_maintenance/", admin.site.urls),
    path("api/v1/", api.urls),
]
