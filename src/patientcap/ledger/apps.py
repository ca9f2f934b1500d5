from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "patientcap.ledger"
    verbose_name = "Ledger"
