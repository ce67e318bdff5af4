from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from lantern.core.access import scope_for, visible_information_requests
from lantern.intake.held import open_held_lines
from lantern.referrals.selectors import queue_counts
from lantern.web.context_processors import menu_for


def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user what they can do, what is waiting for them, and what they can see."""
    user = request.user
    return render(request, "web/home.html", {
        "scope": scope_for(user), "menu_items": {item.url_name: item for item in menu_for(user)},
        "counts": queue_counts(user, timezone.now()),
        "requests_waiting": visible_information_requests(user).filter(answered_at__isnull=True).count(),
        # Administrators see at once whether feeds have lines waiting on someone.
        "lines_held": open_held_lines().count() if getattr(user, "manages_users", False) else 0,
    })


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """Answer the load balancer: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
