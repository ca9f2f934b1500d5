from django.urls import path

from patientcap.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.books, name="books"),
    path("accounts/<str:code>/", views.account, name="account"),
    path("entries/", views.entries, name="entries"),
    path("entries/<int:pk>/", views.entry, name="entry"),
]
