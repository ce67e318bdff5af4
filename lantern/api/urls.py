"""The JSON API, version 1. OpenAPI at /api/v1/openapi.json, generated from typed schemas."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from . import intake

api = NinjaAPI(title="Lantern API", version="1", urls_namespace="api-v1", docs_url=None)
api.add_router("/intake", intake.router)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """Answer a body over DATA_UPLOAD_MAX_MEMORY_SIZE in JSON, as every other refusal, not with
    Django's HTML error page: the caller is a program, and should be told to send less."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request,
        {"detail": f"the body is larger than {limit:,} bytes, the most one request may send: "
                   "send the lines in smaller batches"},
        status=413,
    )


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """Say what to send, and name the scheme (RFC 9110 asks a 401 to carry WWW-Authenticate)."""
    response = api.create_response(
        request,
        {"detail": "send the feed's token as 'Authorization: Bearer TOKEN': this request had none, or one "
                   "that is not valid or has been revoked"},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="lantern-intake"'
    return response


@api.exception_handler(OperationalError)
def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """Answer "try again" in JSON when the database cannot take the batch now (SQLite locked by
    a long import, say, or a connection lost): each chunk goes in whole or not at all, and
    sending the batch again is safe, as what went in already is found unchanged."""
    response = api.create_response(
        request,
        {"detail": "the database could not take this batch now (another import may be writing): send it again in "
                   "a minute; any of its lines that went in already are found unchanged"},
        status=503,
    )
    response["Retry-After"] = "60"
    return response
