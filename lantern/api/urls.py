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


def refusal(request: HttpRequest, status: int, detail: str, **headers: str) -> HttpResponse:
    """A refusal in JSON, as every answer of the API is: the caller is a program, and its log
    should say in words what to do."""
    response = api.create_response(request, {"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, not Django's HTML error page: send less."""
    return refusal(request, 413, f"the body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes, the most "
                                 "one request may send: send the lines in smaller batches")


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """Say what to send, and name the scheme (RFC 9110 asks a 401 to carry WWW-Authenticate)."""
    return refusal(request, 401, "send the feed's token as 'Authorization: Bearer TOKEN': this request had none, "
                                 "or one that is not valid or has been revoked",
                   WWW_Authenticate='Bearer realm="lantern-intake"')


@api.exception_handler(OperationalError)
def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """Answer "try again" when the database cannot take the batch now (SQLite locked by a long
    import, say, or a connection lost): each chunk goes in whole or not at all, and sending the
    batch again is safe, as what went in already is found unchanged."""
    return refusal(request, 503, "the database could not take this batch now (another import may be writing): send "
                                 "it again in a minute; any of its lines that went in already are found unchanged",
                   Retry_After="60")
