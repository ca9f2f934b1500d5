from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "patientcap.approvals"
    verbose_name = "Approvals"

    def ready(self) -> None:
        from patientcap.approvals import scopes  # noqa: F401  (registers the scope rule)
