from django.urls import path

from patientcap.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.parameters, name="parameters"),
    path("parameters/<str:name>/", views.parameter, name="parameter"),
    path("calendar/", views.calendar, name="calendar"),
]
