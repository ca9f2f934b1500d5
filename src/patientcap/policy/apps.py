from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "patientcap.policy"
    verbose_name = "Policy"

    def ready(self) -> None:
        from patientcap.policy import scopes, signals  # noqa: F401  (registration on import)
