from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "lantern.risk"
    label = "risk"
    verbose_name = "Risk instruments and assessments"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
