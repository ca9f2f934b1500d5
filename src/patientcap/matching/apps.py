from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "patientcap.matching"
    verbose_name = "Matched credit"

    def ready(self) -> None:
        from patientcap.matching import actions, scopes  # noqa: F401  (register them)
