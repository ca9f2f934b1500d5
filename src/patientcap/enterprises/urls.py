from django.urls import path

from patientcap.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="template"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/years/new/", views.year_edit, name="year_new"),
    path("<int:pk>/years/<int:year>/", views.year_edit, name="year_edit"),
    path("<int:pk>/certifications/new/", views.certification_edit, name="certification_new"),
    path(
        "<int:pk>/certifications/<int:cert_id>/",
        views.certification_edit,
        name="certification_edit",
    ),
    path(
        "<int:pk>/certifications/<int:cert_id>/delete/",
        views.certification_delete,
        name="certification_delete",
    ),
    path("<int:pk>/access/", views.access, name="access"),
    path("<int:pk>/access/<int:grant_id>/revoke/", views.revoke, name="revoke"),
    path(
        "<int:pk>/assignments/<int:assignment_id>/end/", views.end_assignment, name="end_assignment"
    ),
]
