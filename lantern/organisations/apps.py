from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "lantern.organisations"
    label = "organisations"
    verbose_name = "Agencies and boroughs"
