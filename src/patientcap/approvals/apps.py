from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "patientcap.approvals"
    verbose_name = "Approvals"
