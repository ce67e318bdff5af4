"""Requests to share records: the agencies that hold them answer here, for their own records."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lantern.core.access import visible_records
from lantern.sharing.selectors import request_for_answer, requests_to_answer
from lantern.sharing.services import share_request_answer
from lantern.web.forms import ShareAnswerForm


def share_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/requests.html", {"requests": requests_to_answer(request.user)[:200]})


def share_request(request: HttpRequest, request_id: int) -> HttpResponse:
    user: Any = request.user
    asked = request_for_answer(user, request_id)
    if asked is None:
        raise Http404("No such request")
    # What the answering agency itself holds: the records it would share.
    records = list(visible_records(user).filter(person=asked.person, agency_id=user.agency_id).select_related("agency"))
    form = ShareAnswerForm(request.POST or None)
    if form.is_valid():
        try:
            share_request_answer(request=asked, share=form.share, note=form.cleaned_data["note"], actor=user)
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, f"Your answer has gone to {asked.requested_by.get_full_name() or 'the requester'}"
                                      f" at {asked.agency.name}.")
            return redirect("web:share-requests")
    return render(request, "sharing/request.html", {"asked": asked, "records": records, "form": form},
                  status=400 if form.errors else 200)
