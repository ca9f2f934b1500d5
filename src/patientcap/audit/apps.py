from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "patientcap.audit"
    verbose_name = "Audit"
