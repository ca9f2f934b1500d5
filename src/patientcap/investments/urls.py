from django.urls import path

from patientcap.investments import views

app_name = "investments"
urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("<int:pk>/", views.project, name="project"),
]
