from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "lantern.sharing"
    label = "sharing"
