"""Pages for lantern.investigations (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
