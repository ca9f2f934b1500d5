from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValuationsConfig(AppConfig):
    name = "patientcap.valuations"
    verbose_name = _("Valuations")

    def ready(self) -> None:
        from patientcap.valuations import actions, scopes  # noqa: F401  (register the action)

        scopes.register()
