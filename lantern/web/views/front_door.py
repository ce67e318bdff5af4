"""Contacts in: the officer's form at the scene, a partner's referral, and the public's concern form.

The officer's form asks one question a page (it is filled in on a phone) and keeps the
answers in the session until they are sent; each form carries a key, so sending it twice
makes one contact.
"""

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from lantern.accounts.models import Role
from lantern.core.access import access_contact_by_reference
from lantern.organisations.models import AgencyKind
from lantern.referrals.models import PublicReport, Source
from lantern.referrals.services import NewContact, contact_create
from lantern.web.front_door_forms import (
    OFFICER_STEPS,
    PartnerReferralForm,
    PublicConcernForm,
    add_service_errors,
    subject_from,
)

DRAFT = "officer_contact"
STEP_SLUGS = [slug for slug, _, _ in OFFICER_STEPS]
SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")
PARTNER_ROLES = {Role.PARTNER, Role.SOCIAL_WORKER}


def _officer(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.agency is None or user.agency.kind != AgencyKind.POLICE or user.role in {Role.ADMIN, Role.SCRUTINY}:
        raise PermissionDenied("This form is for police officers and staff")
    return user


# The officer's form -------------------------------------------------------------------------------

def _draft(request: HttpRequest) -> dict[str, Any]:
    draft: dict[str, Any] = request.session.get(DRAFT) or {"key": uuid.uuid4().hex, "answers": {}}
    request.session[DRAFT] = draft
    return draft


def officer_contact_step(request: HttpRequest, step: str) -> HttpResponse:
    """Ask one question of the officer's form; go on to the next, or back to the check page."""
    _officer(request)
    if step not in STEP_SLUGS:
        raise Http404("No such question")
    index = STEP_SLUGS.index(step)
    _, question, form_class = OFFICER_STEPS[index]
    draft = _draft(request)
    answers = draft["answers"]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            answers[step] = {name: request.POST.get(name, "") for name in form.fields}
            request.session.modified = True
            checking = request.GET.get("change") == "1" or len(answers) == len(STEP_SLUGS)
            if checking or index + 1 == len(STEP_SLUGS):
                return redirect("web:officer-contact-check")
            return redirect("web:officer-contact-step", step=STEP_SLUGS[index + 1])
    else:
        form = form_class(initial=answers.get(step))
    back = reverse("web:officer-contact-step", args=[STEP_SLUGS[index - 1]]) if index else reverse("web:home")
    return render(request, "referrals/officer_step.html", {
        "form": form, "question": question, "number": index + 1, "total": len(STEP_SLUGS), "back": back,
    }, status=400 if form.errors else 200)


def officer_contact_check(request: HttpRequest) -> HttpResponse:
    """Show every answer with a link to change it; sending creates the contact and links its person."""
    user = _officer(request)
    draft = _draft(request)
    cleaned: dict[str, Any] = {}
    rows = []
    for slug, question, form_class in OFFICER_STEPS:
        form = form_class(draft["answers"].get(slug))
        if slug not in draft["answers"] or not form.is_valid():
            return redirect("web:officer-contact-step", step=slug)
        cleaned.update(form.cleaned_data)
        rows.append((slug, question, [(form.fields[name].label, _shown(form, name)) for name in form.fields]))
    problem = ""
    if request.method == "POST":
        new = NewContact(
            source=Source.OFFICER, subject=subject_from(cleaned), what_happened=cleaned["what_happened"],
            risk_consideration=cleaned["risk_consideration"], action_taken=cleaned["action_taken"],
            occurred_at=cleaned["occurred_at"], location=cleaned["location"],
            location_postcode=cleaned["location_postcode"], submission_key=draft["key"],
        )
        try:
            contact = contact_create(new, reporter=user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            del request.session[DRAFT]
            return redirect("web:contact-sent", reference=contact.reference)
    return render(request, "referrals/officer_check.html", {"rows": rows, "problem": problem},
                  status=400 if problem else 200)


def _shown(form: Any, name: str) -> str:
    """Return an answer as the check page shows it: as Lantern understood it (a choice's label, a tidied postcode)."""
    value = form.cleaned_data.get(name)
    choices = dict(getattr(form.fields[name], "choices", []))
    if value in choices:
        return str(choices[value])
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%H:%M, %d %B %Y")
    return "" if value is None else str(value)


def contact_sent(request: HttpRequest, reference: str) -> HttpResponse:
    """Confirm a contact reached the MASH, with its reference and what happens next."""
    contact = access_contact_by_reference(request.user, reference)
    return render(request, "referrals/contact_sent.html", {"contact": contact})


# A partner's referral -----------------------------------------------------------------------------

def partner_referral(request: HttpRequest) -> HttpResponse:
    """Take a referral from a school, GP, health visitor, social worker or probation officer."""
    user: Any = request.user
    if user.role not in PARTNER_ROLES or user.agency_id is None:
        raise PermissionDenied("This form is for partner agencies' staff")
    key = request.POST.get("submission_key", "")
    form = PartnerReferralForm(request.POST or None)
    if request.method == "POST" and SUBMISSION_KEY.match(key) and form.is_valid():
        data = form.cleaned_data
        told = dict(form.fields["parents_aware"].choices)[data["parents_aware"]]  # type: ignore[attr-defined]
        new = NewContact(
            source=Source.PARTNER, subject=subject_from(data), what_happened=data["what_happened"],
            action_taken="\n".join(filter(None, [data["action_taken"], f"Parents or carers know: {told}"])),
            reporter_role=data["reporter_role"], submission_key=key,
        )
        try:
            contact = contact_create(new, reporter=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:contact-sent", reference=contact.reference)
    return render(request, "referrals/partner_referral.html",
                  {"form": form, "submission_key": key if SUBMISSION_KEY.match(key) else uuid.uuid4().hex},
                  status=400 if form.errors else 200)


# The public's concern form ----------------------------------------------------------------------

def _client_hash(request: HttpRequest) -> str:
    # Keyed with the secret, so the stored value cannot be turned back into an address.
    return salted_hmac("lantern.public-report", request.META.get("REMOTE_ADDR", ""), algorithm="sha256").hexdigest()


def _over_limit(client: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = PublicReport.objects.filter(client_hash=client, received_at__gte=since).count()
    return recent >= settings.LANTERN_PUBLIC_REPORTS_PER_HOUR


@login_not_required
def report_concern(request: HttpRequest) -> HttpResponse:
    """Take a concern about a child from anyone; say what happens next and nothing about anyone."""
    client = _client_hash(request)
    if request.method == "POST" and _over_limit(client):
        return render(request, "referrals/public_too_many.html", status=429)
    form = PublicConcernForm(request.POST or None,
                             initial={"started": PublicConcernForm.fresh_token()} if request.method != "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.looks_automated():
            if form.cleaned_data.get("website"):
                # Tell a bot nothing useful; a person never sees the hidden field.
                return render(request, "referrals/public_sent.html", {"reference": None})
            form.add_error(None, "Please read the form through, then send it again")
        else:
            data = form.cleaned_data
            new = NewContact(
                source=Source.PUBLIC, what_happened=data["what_happened"], location=data["where"],
                subject={**subject_from(data), "address": {"line1": data["where"][:200], "postcode": data["postcode"]}},
                reporter_name=data["reporter_name"], reporter_contact=data["reporter_contact"],
                submission_key=salted_hmac("lantern.public-key", data["started"]).hexdigest()[:32],
            )
            try:
                with transaction.atomic():
                    contact = contact_create(new)
                    PublicReport.objects.create(client_hash=client, received_at=timezone.now())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session["public_report"] = contact.reference
                return redirect("web:report-concern-sent")
    if form.non_field_errors():
        # A fresh start time, so a person who waited too long can simply send it again.
        data = request.POST.copy()
        data["started"] = PublicConcernForm.fresh_token()
        form.data = data
    return render(request, "referrals/public_concern.html", {"form": form}, status=400 if form.errors else 200)


@login_not_required
def report_concern_sent(request: HttpRequest) -> HttpResponse:
    """Give the member of the public their reference (kept in their session, never in the address)."""
    return render(request, "referrals/public_sent.html", {"reference": request.session.get("public_report")})
