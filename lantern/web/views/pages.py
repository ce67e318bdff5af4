from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from lantern.core.access import scope_for


def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user what they can do and what they can see."""
    return render(request, "web/home.html", {"scope": scope_for(request.user)})


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """Answer the load balancer: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
