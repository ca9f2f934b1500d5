from django.apps import AppConfig


class InvestmentsConfig(AppConfig):
    name = "patientcap.investments"
    verbose_name = "Invest-first projects"

    def ready(self) -> None:
        from patientcap.investments import actions, scopes  # noqa: F401  (register the actions)

        scopes.register()
