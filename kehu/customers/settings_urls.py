"""设置 › 来源渠道 (included under /settings/channels/ by kehu/urls.py)."""

from django.urls import path

from kehu.customers import settings_views as views

app_name = "channels"

urlpatterns = [
    path("", views.channel_list, name="list"),
    path("<int:pk>/", views.channel_edit, name="edit"),
    path("<int:pk>/move/", views.channel_move, name="move"),
    path("<int:pk>/delete/", views.channel_delete, name="delete"),
]
