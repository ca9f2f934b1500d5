from django.urls import path

from patientcap.core import job_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/", job_views.job_page, name="job"),
]
