"""The feeds pages, for system administrators: the lines agencies' feeds sent that the
importer held back, why, and the latest import runs, and offering held lines again; and the
tokens agencies' systems send their feeds with (POST /api/v1/intake).

An administrator sees where each held line came from and what was wrong with it, never
the line itself (their role shows no case data): they take the problem to the agency that
sent it, or retry once it is put right. `lantern quarantine show` prints a line in full
for those who run the servers.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.core.spreadsheets import csv_chunks
from lantern.intake.feeds import FEED_NAME_MISSING, feed_token_issue, feed_token_name_clean, feed_token_revoke
from lantern.intake.held import (
    HELD_CSV_COLUMNS,
    held_by_agency,
    held_lines_dismiss,
    held_lines_retry,
    held_lines_rows,
    open_held_lines,
    recent_runs,
)
from lantern.intake.importer import CHUNK_LINES
from lantern.intake.models import FeedToken, HeldLine, HeldStatus
from lantern.organisations.models import Agency
from lantern.web.pagination import pagination

from .users import administrators_only

PAGE_SIZE = 50
# Lines one press of the retry button offers again: one chunk, a few seconds' work.
RETRY_AT_MOST = CHUNK_LINES


class HeldFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[
        ("", "Quarantined or waiting"), (HeldStatus.QUARANTINED, "Quarantined"),
        (HeldStatus.WAITING, "Waiting for a person record")],
        error_messages={"invalid_choice": "Choose a status from the list"})
    agency = forms.ChoiceField(label="Agency", required=False,
                               error_messages={"invalid_choice": "Choose an agency from the list"})

    def __init__(self, data: Any, agencies: list[str]) -> None:
        super().__init__(data)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = [("", "All agencies"), *((code, code) for code in agencies)]
        # An agency whose last held line was closed since the page was shown (a retry took it
        # in, say) stays chosen and matches no line: dropped, the filter would match every agency's.
        self.nothing_held = self.chosen().get("agency", "") if self.is_bound else ""
        if self.nothing_held in agencies:
            self.nothing_held = ""
        elif self.nothing_held:
            agency.choices = [*agency.choices, (self.nothing_held, f"{self.nothing_held} (nothing held now)")]

    def chosen(self) -> dict[str, str]:
        """Return the filters given, as given, so that the page a retry goes back to keeps them."""
        if not self.is_bound:
            return {}
        given = {name: self.data.get(name) for name in self.fields}
        # A NUL, which no list offers, is left out: PostgreSQL refuses it in a query or an audit entry.
        return {name: value for name, value in given.items()
                if isinstance(value, str) and value and "\x00" not in value}

    def held(self) -> QuerySet[HeldLine]:
        """Return the open held lines the filters pick out; none when a filter given is not one
        offered (a status that is not, say), rather than leaving it out and widening to every line."""
        if not self.is_bound:
            return open_held_lines()
        if not self.is_valid():
            return HeldLine.objects.none()
        return open_held_lines(**{name: value for name, value in self.cleaned_data.items() if value})


@administrators_only
def feed_problems(request: HttpRequest) -> HttpResponse:
    """List the open held lines (filtered by status and agency), counts by agency, and recent runs."""
    by_agency = held_by_agency()
    form = HeldFilterForm(request.GET or None, [row.agency for row in by_agency])
    chosen = form.chosen()
    page = Paginator(form.held(), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_write(actor=request.user, verb=AuditVerb.HELD_VIEW, target_type="intake.heldline",
                payload={**chosen, "page": page.number, "shown": [line.pk for line in page]})
    return render(request, "intake/feed_problems.html", {
        "form": form,
        "chosen": chosen,
        "nothing_held": form.nothing_held,
        "query": urlencode(chosen),
        "by_agency": by_agency,
        "page": page,
        "lines": [(line, line.source_name) for line in page],
        "runs": recent_runs(),
        "retry_at_most": RETRY_AT_MOST,
        **pagination(page, chosen),
    })


@require_GET  # not HEAD: that would write an export audit entry for a download never sent
@administrators_only
def feed_problems_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Download the held lines the page shows (its filters) as CSV, to send to the agencies
    that sent them: where and why, never the lines themselves. An agency with nothing held now
    picks out no line: the file then has its header row only."""
    form = HeldFilterForm(request.GET or None, [row.agency for row in held_by_agency()])
    chosen, held = form.chosen(), form.held()
    user, now = request.user, timezone.now()
    audit_write(actor=user, verb=AuditVerb.EXPORT, target_type="intake.heldline",
                payload={"what": "held lines", "format": "csv", **chosen, "lines": held.count()})
    who = f"{user.get_full_name() or user.get_username()} ({user.get_username()})"  # type: ignore[union-attr]
    response = StreamingHttpResponse(csv_chunks(HELD_CSV_COLUMNS, held_lines_rows(held, who=who, at=now)),
                                     content_type="text/csv; charset=utf-8")
    # An agency's code came from a feed line, so it is made safe for a file name.
    name = "-".join(["held-lines", *map(slugify, chosen.values()), f"{timezone.localtime(now):%Y%m%d-%H%M}"])
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@administrators_only
def feed_problems_retry(request: HttpRequest) -> HttpResponse:
    """Offer the held lines the page was showing (its filters) to the importer again."""
    form = HeldFilterForm(request.POST, [row.agency for row in held_by_agency()])
    chosen = form.chosen()
    held = list(form.held()[:RETRY_AT_MOST])
    if not held and chosen:  # an agency whose last line was closed since the page was shown, say
        messages.info(request, "No held lines match these filters now: none were offered again")
    elif not held:
        messages.info(request, "No held lines to offer again")
    else:
        retried = held_lines_retry(held=held, actor=request.user, source=f"retried by {request.user.get_username()}")
        messages.success(request, retried.summary())
    return redirect(reverse("web:feed-problems") + (f"?{urlencode(chosen)}" if chosen else ""))


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why will this line never go in?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the agency sent it again as UTF-8 on 9 December. The reason is recorded.",
        error_messages={"required": "Enter why this line will never go in"})

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Enter why this line will never go in")
        return reason


@administrators_only
def feed_problem_dismiss(request: HttpRequest, held_id: int) -> HttpResponse:
    """Close one held line that will never go in (the agency sent it again in another form,
    say), with the reason; it then leaves the list. A line already closed says how it was."""
    line = get_object_or_404(HeldLine, pk=held_id)
    file_name = line.source_name
    if line.status == HeldStatus.RESOLVED:  # dismissed by someone else meanwhile, say, or sent twice
        return _no_longer_held(request, line)
    form = DismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not held_lines_dismiss(held=[line], actor=request.user, reason=form.cleaned_data["reason"]):
            line.refresh_from_db(fields=["status", "resolution"])  # a retry closed it since it was read above
            return _no_longer_held(request, line)
        messages.success(request, f"Line {line.line_number} of {file_name} dismissed")
        return redirect("web:feed-problems")
    return render(request, "intake/feed_problem_dismiss.html", {"line": line, "file_name": file_name, "form": form})


def _no_longer_held(request: HttpRequest, line: HeldLine) -> HttpResponse:
    messages.info(request, f"Line {line.line_number} of {line.source_name} is no longer held: {line.resolution}")
    return redirect("web:feed-problems")


# Feed tokens ---------------------------------------------------------------------------------

class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        # With its code: several schools share a name.
        return f"{obj.name} ({obj.code})"


class IssueTokenForm(forms.Form):
    agency = AgencyChoiceField(label="Agency", queryset=Agency.objects.order_by("name", "code"),
                               empty_label="Choose an agency",
                               error_messages={"required": "Choose the agency whose system will send the feed"})
    # Checked by feed_token_name_clean, as `lantern feeds issue` is, so both refuse the same names.
    name = forms.CharField(label="Which system will use it", help_text="For example, Mosaic nightly export",
                           error_messages={"required": FEED_NAME_MISSING})

    def clean_name(self) -> str:
        try:
            return feed_token_name_clean(self.cleaned_data["name"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


@administrators_only
def feed_tokens(request: HttpRequest) -> HttpResponse:
    """List the feed tokens issued; issue a new one, shown once."""
    form = IssueTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        feed, token = feed_token_issue(agency=form.cleaned_data["agency"], name=form.cleaned_data["name"],
                                       actor=request.user)
        response = render(request, "intake/feed_token_issued.html", {"feed": feed, "token": token})
        # The token is on this page only: keep it out of every cache, the browser's included.
        response["Cache-Control"] = "no-store"
        return response
    tokens = (FeedToken.objects.select_related("agency")
              .order_by(F("revoked_at").asc(nulls_first=True), "agency__name", "pk"))  # live ones first
    return render(request, "intake/feed_tokens.html", {"form": form, "tokens": tokens})


@require_POST
@administrators_only
def feed_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Stop a feed token working (revoking it again changes nothing)."""
    feed = feed_token_revoke(feed=get_object_or_404(FeedToken, pk=token_id), actor=request.user)
    messages.success(request, f"The token for {feed.name} ({feed.agency.name}, {feed.agency.code}) no longer works")
    return redirect("web:feed-tokens")
