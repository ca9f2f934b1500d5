from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "patientcap.enterprises"
    verbose_name = "Enterprises"
