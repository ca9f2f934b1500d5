from django.apps import AppConfig


class EquityConfig(AppConfig):
    name = "patientcap.equity"
    verbose_name = "Equity and the angel fund"

    def ready(self) -> None:
        from patientcap.equity import actions, scopes  # noqa: F401  (register the actions)

        scopes.register()
