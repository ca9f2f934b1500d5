from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "patientcap.core"
    verbose_name = "Core"

    def ready(self) -> None:
        from patientcap.core import scopes

        scopes.register()
