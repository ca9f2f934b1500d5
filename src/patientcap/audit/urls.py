from django.urls import path

from patientcap.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("verify/", views.verify, name="verify"),
    path("<int:seq>/", views.entry, name="entry"),
]
