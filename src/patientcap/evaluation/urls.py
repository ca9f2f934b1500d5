from django.urls import path

from patientcap.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("enterprises/<int:pk>/", views.enterprise, name="enterprise"),
    path("enterprises/<int:pk>/score/", views.score, name="score"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/what-if/", views.what_if, name="what_if"),
    path("<int:pk>/override/", views.override, name="override"),
    path("<int:pk>/object/", views.object_to, name="object"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/<int:pk>/decide/", views.decide, name="decide"),
    path("rulesets/", views.ruleset_browser, name="rulesets"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/results.xlsx", views.batch_download, name="batch_download"),
    path("stability/", views.stability, name="stability"),
]
