from django.urls import path

from kehu.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("channels/", views.channels, name="channels"),
    path("channels/robot/", views.robot_save, name="robot_save"),
    path("channels/robot/delete/", views.robot_delete, name="robot_delete"),
    path("channels/team-robot/", views.team_robot_save, name="team_robot_save"),
    path("channels/team-robot/delete/", views.team_robot_delete, name="team_robot_delete"),
    path("channels/test/", views.channels_test, name="test"),
]
