from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "patientcap.evaluation"
    verbose_name = "Evaluation"

    def ready(self) -> None:
        from patientcap.evaluation import scopes  # noqa: F401  (register scope rules)
