"""Equity pages under /equity/."""

from django.urls import path

from patientcap.equity import views

app_name = "equity"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.cap_table, name="cap_table"),
    path("<int:pk>/waterfall/", views.waterfall, name="waterfall"),
    path("<int:pk>/open/", views.propose_open, name="propose_open"),
    path("<int:pk>/round/", views.propose_round, name="propose_round"),
    path("<int:pk>/instrument/", views.propose_instrument, name="propose_instrument"),
    path("fund/", views.fund, name="fund"),
    path("fund/invest/", views.invest, name="invest"),
    path("fund/holdings/<int:pk>/", views.holding, name="holding"),
]
