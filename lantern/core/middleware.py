"""Request ids for the audit trail, and the security headers Django does not set itself."""

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from .context import current_request_id

SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id and echo it back.

    An incoming X-Request-ID is kept only when LANTERN_TRUST_REQUEST_ID says a proxy in front
    sets it; otherwise any client could write what it liked into the audit trail.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "") if settings.LANTERN_TRUST_REQUEST_ID else ""
        request_id = incoming if SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Set Permissions-Policy and keep case pages out of shared caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            # Pages show case data: never store them in a browser or proxy cache.
            response["Cache-Control"] = "no-store"
        return response


class StaffLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in member of staff, except the API, which has its own credentials."""

    def process_view(self, request: HttpRequest, view_func: Callable[..., HttpResponseBase],
                     view_args: Any, view_kwargs: Any) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
