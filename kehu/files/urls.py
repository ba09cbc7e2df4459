from django.urls import path

from kehu.files import views

app_name = "files"

urlpatterns = [
    path("upload/", views.attachment_upload, name="upload"),
    path("<int:pk>/", views.attachment_download, name="download"),
    path("<int:pk>/delete/", views.attachment_delete, name="delete"),
]
