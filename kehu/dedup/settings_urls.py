"""设置 › 查重规则, mounted at /settings/duplicates/ (kehu/urls.py)."""

from django.urls import path

from kehu.dedup import views

app_name = "dedup_settings"

urlpatterns = [path("", views.policy_settings, name="policy")]
