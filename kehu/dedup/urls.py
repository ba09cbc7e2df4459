from django.urls import path

from kehu.dedup import views

app_name = "dedup"

urlpatterns = [
    path("", views.group_list, name="groups"),
    path("scans/", views.scan_start, name="scan_start"),
    path("scans/<int:scan_id>/", views.scan_status, name="scan_status"),
    path("groups/<int:group_id>/dismiss/", views.group_dismiss, name="group_dismiss"),
    path("merge/", views.merge, name="merge"),
    path("merges/<int:merge_id>/", views.merge_detail, name="merge_detail"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    path("hint/", views.hint, name="hint"),
]
