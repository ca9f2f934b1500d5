from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "patientcap.accounts"
    verbose_name = "Accounts"
