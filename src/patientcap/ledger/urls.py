from django.urls import path

from patientcap.ledger import proposals, views

app_name = "ledger"
urlpatterns = [
    path("", views.books, name="books"),
    path("accounts/<str:code>/", views.account, name="account"),
    path("entries/", views.entries, name="entries"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("contribute/", proposals.contribute, name="contribute"),
    path("entries/<int:pk>/reverse/", proposals.propose_reversal, name="propose_reversal"),
]
