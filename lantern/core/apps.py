from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lantern.core"
    label = "core"
    verbose_name = "Audit and access"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
