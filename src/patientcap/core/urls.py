from django.urls import path

from patientcap.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
