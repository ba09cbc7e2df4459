"""设置 › 编号规则 (included under /settings/numbering/ by kehu/urls.py)."""

from django.urls import path

from kehu.numbering import views

app_name = "numbering"

urlpatterns = [
    path("", views.pattern_list, name="settings"),
    path("<slug:kind>/", views.pattern_edit, name="edit"),
    path("<slug:kind>/preview/", views.pattern_preview, name="preview"),
]
