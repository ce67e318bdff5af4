"""The API answers in JSON, also where Django or django-ninja would answer in HTML."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api"

# Said in words for a program's log, as every other refusal of the API is.
DETAILS = {
    403: "refused: this address takes nothing sent to it; the intake is POST /api/v1/intake, with a feed's token",
    404: "there is no such address in the API: the intake is POST /api/v1/intake (no slash at the end)",
    405: "this address does not take {method}: send a POST",
}


class ApiErrorsAsJsonMiddleware:
    """Turn the HTML "forbidden" (Django's CSRF check on an address that is not the intake's),
    "not found" and "method not allowed" pages into JSON for API addresses, in any case."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path.lower()
        if ((path == API_PREFIX or path.startswith(API_PREFIX + "/")) and response.status_code in DETAILS
                and not response.get("Content-Type", "").startswith("application/json")):
            json = JsonResponse({"detail": DETAILS[response.status_code].format(method=request.method)},
                                status=response.status_code)
            if "Allow" in response:
                json["Allow"] = response["Allow"]
            return json
        return response
