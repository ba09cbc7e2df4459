from django.urls import path

from kehu.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("validate/", views.customer_validate, name="validate"),
    path("regions/", views.region_options, name="regions"),
    path("views/", views.saved_view_save, name="view_save"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="view_delete"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/validate/", views.customer_validate, name="validate_existing"),
    path("<int:pk>/history/", views.customer_history, name="history"),
    path("<int:pk>/transfer/", views.customer_transfer, name="transfer"),
    path("<int:pk>/reveal/<str:field>/", views.customer_reveal, name="reveal"),
    path("<int:pk>/contacts/", views.contact_create, name="contacts"),
    path("<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("<int:pk>/contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path(
        "<int:pk>/contacts/<int:contact_id>/reveal/<str:field>/",
        views.contact_reveal,
        name="contact_reveal",
    ),
]
