from django.apps import AppConfig


class LendingConfig(AppConfig):
    name = "patientcap.lending"
    verbose_name = "Tiered loans"

    def ready(self) -> None:
        from patientcap.lending import actions, scopes  # noqa: F401  (register actions, scopes)
