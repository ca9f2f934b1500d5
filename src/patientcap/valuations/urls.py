from django.urls import path

from patientcap.valuations import views

app_name = "valuations"
urlpatterns = [
    path("", views.index, name="index"),
    path("enterprise/<int:enterprise_id>/", views.enterprise, name="enterprise"),
    path("enterprise/<int:enterprise_id>/new/", views.workbench_page, name="workbench"),
    path("enterprise/<int:enterprise_id>/compute/", views.compute, name="compute"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approval/", views.propose_approval, name="propose_approval"),
]
