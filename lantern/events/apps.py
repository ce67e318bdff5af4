from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "lantern.events"
    label = "events"
