"""Requests for information from the MASH, answered by the partner agency that was asked.

The partner sees the request only: who it is about and the question, never the rest of the
hub's record.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from lantern.core.access import access_information_request, visible_information_requests
from lantern.referrals.services import information_request_agree, information_request_answer
from lantern.web.front_door_forms import AnswerForm, add_service_errors


def information_requests(request: HttpRequest) -> HttpResponse:
    """List the requests sent to the user's agency: those waiting first, soonest due first."""
    asked = visible_information_requests(request.user).select_related("contact__subject_record", "contact__borough")
    return render(request, "referrals/information_requests.html", {
        "waiting": list(asked.filter(answered_at__isnull=True).order_by("due_at")[:200]),
        "answered": list(asked.filter(answered_at__isnull=False).order_by("-answered_at")[:50]),
        "now": timezone.now(),
    })


def information_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """Show one request and take the agency's answer, or its later agreement to wider use."""
    user: Any = request.user
    asked = access_information_request(user, request_id)
    form = AnswerForm(request.POST or None) if asked.answered_at is None else None
    if request.method == "POST":
        try:
            if form is None and request.POST.get("action") != "agree":
                # An answer sent again (a resend, a refresh) must never count as agreement.
                messages.success(request, "Your agency has already answered this request.")
                return redirect("web:information-request", request_id=asked.pk)
            if form is None:
                information_request_agree(asked=asked, actor=user)
                messages.success(request, "Your agency's agreement to wider use is recorded.")
                return redirect("web:information-request", request_id=asked.pk)
            if form.is_valid():
                information_request_answer(asked=asked, answer=form.cleaned_data["answer"],
                                           agree_wider_use=form.cleaned_data["agree_wider_use"], actor=user)
                messages.success(request, f"Your answer has gone to the {asked.contact.borough.name} MASH.")
                return redirect("web:information-requests")
        except ValidationError as error:
            if form is None:
                raise
            add_service_errors(form, error)
    return render(request, "referrals/information_request.html",
                  {"asked": asked, "form": form, "record": asked.contact.subject_record, "now": timezone.now()},
                  status=400 if form is not None and form.errors else 200)
