from django.apps import AppConfig


class ValuationsConfig(AppConfig):
    name = "patientcap.valuations"
    verbose_name = "Valuations"

    def ready(self) -> None:
        from patientcap.valuations import scopes  # noqa: F401  (register scope rules)
