from django.urls import path

from patientcap.investments import views

app_name = "investments"
urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("apply/", views.apply, name="apply"),
    path("queue/", views.queue, name="queue"),
    path("pool/", views.pool, name="pool"),
    path("metrics/", views.portfolio, name="metrics"),
    path("losses/", views.losses, name="losses"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.project, name="project"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path("<int:pk>/convert/", views.convert, name="convert"),
    path("<int:pk>/diligence/", views.diligence, name="diligence"),
    path("<int:pk>/write-off/", views.write_off, name="write_off"),
    path("<int:pk>/exit/", views.exit_stake, name="exit"),
    path("tranches/<int:pk>/disburse/", views.disburse, name="disburse"),
    path("milestones/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("milestones/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
