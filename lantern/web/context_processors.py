"""Values every page needs: the service name and who is signed in."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, Any]:
    return {"service_name": "Lantern", "demo_mode": settings.LANTERN_DEMO}
