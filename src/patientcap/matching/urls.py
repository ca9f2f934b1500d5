from django.urls import path

from patientcap.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("applications/", views.applications, name="applications"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.detail, name="detail"),
    path("applications/<int:pk>/due-diligence/", views.complete_dd, name="complete_dd"),
    path("applications/<int:pk>/pause/", views.pause, name="pause"),
    path("applications/<int:pk>/resume/", views.resume, name="resume"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("applications/<int:pk>/disburse/", views.disburse, name="disburse"),
    path("applications/<int:pk>/documents/", views.upload, name="upload"),
    path("applications/<int:pk>/documents/<int:doc_id>/", views.document, name="document"),
    path("sla/", views.sla, name="sla"),
    path("sla/export/", views.sla_export, name="sla_export"),
]
