"""设置 › 用户, 部门, 角色 (included under /settings/ by kehu/urls.py)."""

from django.urls import path

from kehu.accounts import settings_views as views

app_name = "org"

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("departments/<int:pk>/delete/", views.department_delete, name="department_delete"),
    path("roles/", views.role_list, name="roles"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("roles/<int:pk>/delete/", views.role_delete, name="role_delete"),
]
