from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "lantern.investigations"
    label = "investigations"
