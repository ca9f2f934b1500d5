from django.urls import path

from patientcap.lending import views

app_name = "lending"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("applications/", views.applications, name="applications"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/act/", views.application_action, name="application_action"),
    path("loans/", views.loans, name="loans"),
    path("loans/<int:pk>/", views.loan, name="loan"),
    path("loans/<int:pk>/act/", views.loan_action, name="loan_action"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("claims/<int:pk>/act/", views.claim_action, name="claim_action"),
    path("portfolio-at-risk/", views.par, name="par"),
    path("reports/", views.reports, name="reports"),
    path("reports/export/", views.reports_export, name="reports_export"),
]
