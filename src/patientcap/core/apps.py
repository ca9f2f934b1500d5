from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "patientcap.core"
    verbose_name = "Core"
