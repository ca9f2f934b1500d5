from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "patientcap.enterprises"
    verbose_name = _("Enterprises")

    def ready(self) -> None:
        from patientcap.enterprises import scopes

        scopes.register()
