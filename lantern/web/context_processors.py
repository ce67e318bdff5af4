"""Values every page needs: the service name and who is signed in."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lantern.core.access import scope_for


def service(request: HttpRequest) -> dict[str, Any]:
    scope = scope_for(getattr(request, "user", None))
    return {"service_name": "Lantern", "demo_mode": settings.LANTERN_DEMO,
            # The menu offers search to those who may search by personal details.
            "may_search": scope.sees_case_data and not scope.pseudonymised}
