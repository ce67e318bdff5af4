"""Authentication: Django's model backend, but demo users sign in only in demo mode."""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.LANTERN_DEMO:
            return False
        return super().user_can_authenticate(user)
