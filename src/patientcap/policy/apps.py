from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "patientcap.policy"
    verbose_name = "Policy"
