from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "patientcap.evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from patientcap.evaluation import actions, scopes  # noqa: F401  (register the action)

        scopes.register()
