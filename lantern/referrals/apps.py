from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "lantern.referrals"
    label = "referrals"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the clock settings check)
