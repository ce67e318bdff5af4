"""The feeds pages: administrators see what the importer held back and why, never the lines
themselves, and can offer held lines again, and issue and revoke feed tokens; nobody else can."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.intake.feeds import (
    FEED_NAME_MISSING,
    FEED_NAME_TOO_LONG,
    feed_for_token,
    feed_token_issue,
    feed_token_revoke,
)
from lantern.intake.held import HELD_CSV_COLUMNS, held_lines_dismiss, held_lines_retry, open_held_lines
from lantern.intake.importer import import_paths
from lantern.intake.models import FeedToken, HeldLine, HeldStatus, ImportRun
from tests.factories import AgencyFactory, UserFactory, borough
from tests.intake.feeds import AGENCIES, event, person, write_feed

PASSWORD = "correct horse battery"
SECRET_NAME = "Zebedee"  # a name only the held lines carry: it must never show


@pytest.fixture
def admin_client(client, db):
    UserFactory(username="sysadmin", role=Role.ADMIN, agency=AgencyFactory(code="it"), borough=None)
    client.post(reverse("web:sign-in"), {"username": "sysadmin", "password": PASSWORD})
    return client


@pytest.fixture
def held(db: None, tmp_path: Path) -> dict[str, HeldLine]:
    """Import a feed with one good line, one refused and one event waiting for its person."""
    feed = write_feed(tmp_path / "met.jsonl", [
        *AGENCIES,
        person("P1", given_names=SECRET_NAME),
        person("P2", given_names=SECRET_NAME, date_of_birth="2999-01-01"),
        event("E1", ("P3", "missing_person")),
    ])
    import_paths([feed])
    return {line.status: line for line in HeldLine.objects.all()}


def test_administrator_sees_held_lines_by_agency_with_reasons_but_not_the_lines(admin_client, held):
    response = admin_client.get(reverse("web:feed-problems"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "met.jsonl, line 4" in page and "date of birth is in the future" in page
    assert "met.jsonl, line 5" in page and "waiting for person records &#x27;met&#x27; has not yet sent: P3" in page
    by_agency = response.context["by_agency"]
    assert [(row.agency, row.quarantined, row.waiting) for row in by_agency] == [("met", 1, 1)]
    assert SECRET_NAME not in page and held[HeldStatus.QUARANTINED].raw not in page
    assert [run.counts["read"] for run in response.context["runs"]] == [5]
    entry = AuditEntry.objects.get(verb=AuditVerb.HELD_VIEW)
    assert entry.payload["shown"] == sorted(line.pk for line in held.values())


def test_filters_narrow_the_lines_and_an_agency_with_nothing_held_shows_none_and_says_so(admin_client, held):
    waiting = admin_client.get(reverse("web:feed-problems"), {"status": "waiting"})
    assert [line.pk for line, _ in waiting.context["lines"]] == [held[HeldStatus.WAITING].pk]

    nothing_held = admin_client.get(reverse("web:feed-problems"), {"agency": "csc-e09000012"})
    page = nothing_held.content.decode()
    assert nothing_held.context["chosen"] == {"agency": "csc-e09000012"}
    assert nothing_held.context["lines"] == []
    assert "No lines are held for csc-e09000012 now." in page and "There is a problem" not in page
    assert '<option value="csc-e09000012" selected>csc-e09000012 (nothing held now)</option>' in page
    # Nothing to offer again or download: no button or link for none.
    assert reverse("web:feed-problems-retry") not in page and reverse("web:feed-problems-csv") not in page
    assert AuditEntry.objects.filter(verb=AuditVerb.HELD_VIEW).latest("seq").payload == {
        "agency": "csc-e09000012", "page": 1, "shown": []}


def test_the_page_reads_a_fixed_number_of_queries_however_many_lines_are_held(
        admin_client, held, django_assert_max_num_queries):
    HeldLine.objects.bulk_create([
        HeldLine(run=held[HeldStatus.WAITING].run, status=HeldStatus.QUARANTINED, source=f"feed-{n}.jsonl",
                 line_number=n, agency=f"agency-{n % 7}", field="sex", reason="is not a valid choice", raw="{}",
                 raw_hash=f"{n:064d}", created_at=held[HeldStatus.WAITING].created_at)
        for n in range(120)
    ])
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("web:feed-problems"))
    assert response.context["page"].paginator.count == 122
    assert len(response.context["lines"]) == 50
    assert response.context["next_url"] == "?page=2"


def test_held_lines_download_as_csv_without_the_lines_and_safe_for_spreadsheets(admin_client, held, tmp_path):
    # A source id that a spreadsheet would run as a formula, were it written as sent.
    import_paths([write_feed(tmp_path / "more.jsonl", [person("=HYPERLINK(1)", date_of_birth="2999-01-01")])])

    response = admin_client.get(reverse("web:feed-problems-csv"), {"status": "quarantined"})

    assert response["Content-Type"] == "text/csv; charset=utf-8" and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="held-lines-quarantined-')
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(row["file"].rsplit("/", 1)[-1], row["line"], row["source_id"], row["field"]) for row in rows] == [
        ("met.jsonl", "4", "P2", "date_of_birth"), ("more.jsonl", "1", "'=HYPERLINK(1)", "date_of_birth")]
    assert {row["exported_by"] for row in rows} == {"sysadmin (sysadmin)"}
    assert SECRET_NAME not in text
    export = AuditEntry.objects.get(verb=AuditVerb.EXPORT)
    assert export.payload == {"what": "held lines", "format": "csv", "status": "quarantined", "lines": 2}


def test_retry_takes_in_lines_whose_cause_is_put_right(admin_client, held, tmp_path):
    # Held as quarantined, so the person record arriving below does not take the event in by
    # itself (an import retries waiting lines); the other refused line is still wrong.
    HeldLine.objects.filter(pk=held[HeldStatus.WAITING].pk).update(status=HeldStatus.QUARANTINED)
    import_paths([write_feed(tmp_path / "later.jsonl", [person("P3")])])

    response = admin_client.post(reverse("web:feed-problems-retry"), follow=True)

    assert "1 of 2 held lines went in; 1 still held" in response.content.decode()
    assert HeldLine.objects.get(pk=held[HeldStatus.WAITING].pk).status == HeldStatus.RESOLVED
    still = HeldLine.objects.get(pk=held[HeldStatus.QUARANTINED].pk)
    assert (still.status, still.attempts) == (HeldStatus.QUARANTINED, held[HeldStatus.QUARANTINED].attempts + 1)
    retry = AuditEntry.objects.get(verb=AuditVerb.HELD_RETRY)
    assert retry.payload == {"lines": 2, "went_in": 1, "not_offered": 0}
    assert ImportRun.objects.get(pk=retry.target_id).actor.username == "sysadmin"


def test_retry_keeps_to_the_filters_shown(admin_client, held):
    response = admin_client.post(reverse("web:feed-problems-retry"), {"status": "waiting"})

    assert response.status_code == 302 and response.url.endswith("?status=waiting")
    assert AuditEntry.objects.get(verb=AuditVerb.HELD_RETRY).payload["lines"] == 1
    assert HeldLine.objects.get(pk=held[HeldStatus.QUARANTINED].pk).attempts == held[HeldStatus.QUARANTINED].attempts


def test_retry_and_download_for_an_agency_with_nothing_held_now_take_no_line_of_any_other(
        admin_client, held, tmp_path):
    import_paths([write_feed(tmp_path / "csc.jsonl", [
        person("C1", agency="csc-e09000012", date_of_birth="2999-01-01")])])
    csc = HeldLine.objects.get(agency="csc-e09000012")
    shown = admin_client.get(reverse("web:feed-problems"), {"agency": "csc-e09000012"})
    assert [line.pk for line, _ in shown.context["lines"]] == [csc.pk]
    # Someone else dismisses csc's only line; the page shown above still offers it again.
    admin_client.post(reverse("web:feed-problem-dismiss", args=[csc.pk]), {"reason": "sent again"})
    attempts = dict(HeldLine.objects.values_list("pk", "attempts"))

    retry = admin_client.post(reverse("web:feed-problems-retry"), {"agency": "csc-e09000012"})

    assert retry.status_code == 302 and retry.url.endswith("?agency=csc-e09000012")
    assert not AuditEntry.objects.filter(verb=AuditVerb.HELD_RETRY).exists()
    assert dict(HeldLine.objects.values_list("pk", "attempts")) == attempts
    assert HeldLine.objects.get(pk=held[HeldStatus.QUARANTINED].pk).status == HeldStatus.QUARANTINED
    page = admin_client.get(retry.url).content.decode()
    assert "No held lines match these filters now: none were offered again" in page
    assert "No lines are held for csc-e09000012 now." in page

    download = admin_client.get(reverse("web:feed-problems-csv"), {"agency": "csc-e09000012"})
    text = b"".join(download.streaming_content).decode("utf-8").removeprefix("\ufeff")
    assert list(csv.reader(io.StringIO(text))) == [list(HELD_CSV_COLUMNS)]
    assert AuditEntry.objects.get(verb=AuditVerb.EXPORT).payload["lines"] == 0


@pytest.mark.parametrize("filters", [{"status": "resolved"}, {"status": "waiting", "agency": "nobody"}])
def test_retry_with_a_filter_not_offered_offers_nothing_again(admin_client, held, filters):
    response = admin_client.post(reverse("web:feed-problems-retry"), filters, follow=True)

    assert "No held lines match these filters now: none were offered again" in response.content.decode()
    assert not ImportRun.objects.filter(source__startswith="retried by").exists()
    assert not AuditEntry.objects.filter(verb=AuditVerb.HELD_RETRY).exists()


def test_a_filter_no_list_offers_shows_no_lines_and_says_what_is_wrong(admin_client, held):
    response = admin_client.get(reverse("web:feed-problems"), {"status": "resolved"})

    page = response.content.decode()
    assert response.context["lines"] == [] and "<title>Error: Feeds: held lines" in page
    assert "There is a problem" in page and "Choose a status from the list" in page
    assert "No held lines match these filters." in page


def test_retry_with_nothing_held_says_so(admin_client, db):
    response = admin_client.post(reverse("web:feed-problems-retry"), follow=True)
    assert "No held lines to offer again" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_retry_is_a_post(admin_client, held):
    assert admin_client.get(reverse("web:feed-problems-retry")).status_code == 405


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_other_roles_cannot_see_or_retry_held_lines(client, held, role):
    UserFactory(username="someone", role=role, agency=AgencyFactory(code="x"), borough=borough())
    client.post(reverse("web:sign-in"), {"username": "someone", "password": PASSWORD})
    attempts = dict(HeldLine.objects.values_list("pk", "attempts"))

    assert client.get(reverse("web:feed-problems")).status_code == 403
    assert client.get(reverse("web:feed-problems-csv")).status_code == 403
    assert client.post(reverse("web:feed-problems-retry")).status_code == 403
    dismiss = reverse("web:feed-problem-dismiss", args=[held["quarantined"].pk])
    assert client.get(dismiss).status_code == 403
    assert client.post(dismiss, {"reason": "not mine to close"}).status_code == 403
    assert HeldLine.objects.get(pk=held["quarantined"].pk).status == HeldStatus.QUARANTINED
    assert dict(HeldLine.objects.values_list("pk", "attempts")) == attempts
    assert not AuditEntry.objects.filter(
        verb__in=[AuditVerb.HELD_VIEW, AuditVerb.HELD_RETRY, AuditVerb.EXPORT]).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("web:feed-problems"))
    assert response.status_code == 302 and "/sign-in" in response.url


def test_home_page_tells_administrators_how_many_lines_are_held(admin_client, held):
    page = admin_client.get(reverse("web:home")).content.decode()
    assert "2 lines from agencies' feeds are held back" in page


def test_the_retry_service_refuses_anyone_but_an_administrator(held):
    officer = UserFactory(role=Role.OFFICER, agency=AgencyFactory(code="y"), borough=borough())
    with pytest.raises(PermissionDenied):
        held_lines_retry(held=list(open_held_lines()), actor=officer, source="tried by an officer")
    assert not ImportRun.objects.filter(source="tried by an officer").exists()


def test_administrator_dismisses_a_quarantined_line_with_a_reason_and_it_leaves_the_list(admin_client, held):
    line = held["quarantined"]
    page = admin_client.get(reverse("web:feed-problems")).content.decode()
    dismiss = reverse("web:feed-problem-dismiss", args=[line.pk])
    assert f'href="{dismiss}"' in page
    assert page.count(">Dismiss<") == 2  # the waiting line too: its person may never come

    form = admin_client.get(dismiss).content.decode()
    assert "date_of_birth" in form and SECRET_NAME not in form
    refused = admin_client.post(dismiss, {"reason": "   "})
    assert refused.status_code == 200 and "Enter why this line will never go in" in refused.content.decode()
    assert HeldLine.objects.get(pk=line.pk).status == HeldStatus.QUARANTINED

    done = admin_client.post(dismiss, {"reason": "The agency sent it again\nwith the right date"}, follow=True)
    assert "Line 4 of met.jsonl dismissed" in done.content.decode()
    line.refresh_from_db()
    assert (line.status, line.resolution) == (
        HeldStatus.RESOLVED, "dismissed by sysadmin: The agency sent it again with the right date")
    assert AuditEntry.objects.get(verb=AuditVerb.HELD_DISMISS).reason == "The agency sent it again with the right date"
    # Closed once: the form sent again changes nothing, and says how the line was closed.
    again = admin_client.post(dismiss, {"reason": "again"}, follow=True).content.decode()
    assert ("Line 4 of met.jsonl is no longer held: dismissed by sysadmin: The agency sent it again with the right "
            "date") in again
    line.refresh_from_db()
    assert line.resolution.endswith("with the right date")
    assert AuditEntry.objects.filter(verb=AuditVerb.HELD_DISMISS).count() == 1
    assert admin_client.get(reverse("web:feed-problem-dismiss", args=[line.pk + 1000])).status_code == 404


def test_a_dismissal_a_retry_beat_says_how_the_line_went_and_records_no_dismissal(admin_client, held, monkeypatch):
    line = held[HeldStatus.QUARANTINED]
    dismiss = held_lines_dismiss

    def retry_finishes_first(**kwargs):
        # A retry running meanwhile takes the line in after the view has read it as held.
        HeldLine.objects.filter(pk=line.pk).update(status=HeldStatus.RESOLVED, resolution="went in on retry")
        return dismiss(**kwargs)

    monkeypatch.setattr("lantern.web.views.feeds.held_lines_dismiss", retry_finishes_first)
    done = admin_client.post(reverse("web:feed-problem-dismiss", args=[line.pk]), {"reason": "agency withdrew it"},
                             follow=True).content.decode()

    assert "Line 4 of met.jsonl is no longer held: went in on retry" in done
    assert "Line 4 of met.jsonl dismissed" not in done
    assert not AuditEntry.objects.filter(verb=AuditVerb.HELD_DISMISS).exists()
    line.refresh_from_db()
    assert line.resolution == "went in on retry"


def test_dismissing_audits_only_the_lines_it_closed(held):
    admin = UserFactory(role=Role.ADMIN, agency=AgencyFactory(code="z"), borough=None)
    already, still = held[HeldStatus.QUARANTINED], held[HeldStatus.WAITING]
    HeldLine.objects.filter(pk=already.pk).update(status=HeldStatus.RESOLVED, resolution="went in on retry")

    assert held_lines_dismiss(held=[already, still], actor=admin, reason="withdrawn") == 1

    assert AuditEntry.objects.get(verb=AuditVerb.HELD_DISMISS).payload == {"lines": [still.pk]}
    assert HeldLine.objects.get(pk=already.pk).resolution == "went in on retry"
    assert held_lines_dismiss(held=[already, still], actor=admin, reason="withdrawn") == 0
    assert AuditEntry.objects.filter(verb=AuditVerb.HELD_DISMISS).count() == 1


# Feed tokens ---------------------------------------------------------------------------------

def test_administrator_issues_a_token_shown_once_that_the_api_accepts(admin_client):
    met = AgencyFactory(code="met", name="Metropolitan Police Service")

    response = admin_client.post(reverse("web:feed-tokens"), {"agency": met.pk, "name": "CRIS nightly"})

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    token = response.context["token"]
    assert token in response.content.decode()
    feed = feed_for_token(token)
    assert feed is not None and (feed.agency, feed.name) == (met, "CRIS nightly")
    assert token not in admin_client.get(reverse("web:feed-tokens")).content.decode()
    entry = AuditEntry.objects.get(verb=AuditVerb.FEED_TOKEN_ISSUE)
    assert entry.actor.username == "sysadmin" and entry.payload == {"agency": "met", "name": "CRIS nightly"}


def test_the_token_form_and_table_tell_agencies_that_share_a_name_apart_by_code(admin_client):
    school = "Our Lady of Lourdes CofE Primary School"
    first = AgencyFactory(code="school-100123", name=school)
    AgencyFactory(code="school-100456", name=school)
    feed_token_issue(agency=first, name="MIS nightly")

    response = admin_client.get(reverse("web:feed-tokens"))

    labels = [label for _, label in response.context["form"].fields["agency"].choices]
    assert [label for label in labels if school in label] == [f"{school} (school-100123)", f"{school} (school-100456)"]
    table = re.search(r"<tbody.*?</tbody>", response.content.decode(), re.S).group(0)
    assert "school-100123" in table and "school-100456" not in table
    issued = admin_client.post(reverse("web:feed-tokens"), {"agency": first.pk, "name": "Another"})
    assert f"{school} (school-100123)" in issued.content.decode()


@pytest.mark.parametrize("name, problem", [("", FEED_NAME_MISSING), ("   ", FEED_NAME_MISSING),
                                          ("x" * 101, FEED_NAME_TOO_LONG)])
def test_the_token_form_and_the_command_refuse_the_same_names_in_the_same_words(admin_client, name, problem):
    met = AgencyFactory(code="met")

    page = admin_client.post(reverse("web:feed-tokens"), {"agency": met.pk, "name": name}).content.decode()
    assert "There is a problem" in page and problem in page
    with pytest.raises(CommandError, match=re.escape(problem)):
        call_command("feeds", "issue", "met", name)
    with pytest.raises(ValueError, match=re.escape(problem)):
        feed_token_issue(agency=met, name=name)

    assert not FeedToken.objects.exists() and not AuditEntry.objects.filter(verb=AuditVerb.FEED_TOKEN_ISSUE).exists()


def test_a_token_name_is_kept_with_its_spaces_tidied_up_to_100_characters(db):
    met = AgencyFactory(code="met")
    assert feed_token_issue(agency=met, name="  CRIS \t nightly ")[0].name == "CRIS nightly"
    assert feed_token_issue(agency=met, name="x" * 100)[0].name == "x" * 100


def test_an_incomplete_token_form_says_what_is_missing_and_issues_nothing(admin_client):
    response = admin_client.post(reverse("web:feed-tokens"), {"agency": "", "name": ""})

    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Choose the agency whose system will send the feed" in page
    assert "Enter the name of the system that will use the token" in page
    assert not FeedToken.objects.exists()


def test_administrator_revokes_a_token_and_it_stops_working(admin_client):
    feed, token = feed_token_issue(agency=AgencyFactory(code="met"), name="CRIS nightly")

    response = admin_client.post(reverse("web:feed-token-revoke", args=[feed.pk]), follow=True)
    assert "The token for CRIS nightly" in response.content.decode() and "no longer works" in response.content.decode()
    assert feed_for_token(token) is None
    admin_client.post(reverse("web:feed-token-revoke", args=[feed.pk]))
    assert AuditEntry.objects.filter(verb=AuditVerb.FEED_TOKEN_REVOKE).count() == 1
    assert admin_client.get(reverse("web:feed-token-revoke", args=[feed.pk])).status_code == 405
    assert admin_client.post(reverse("web:feed-token-revoke", args=[feed.pk + 1])).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_other_roles_cannot_see_issue_or_revoke_tokens(client, db, role):
    agency = AgencyFactory(code="x")
    feed, token = feed_token_issue(agency=agency, name="CRIS nightly")
    someone = UserFactory(username="someone", role=role, agency=agency, borough=borough())
    client.post(reverse("web:sign-in"), {"username": "someone", "password": PASSWORD})

    assert client.get(reverse("web:feed-tokens")).status_code == 403
    assert client.post(reverse("web:feed-tokens"), {"agency": agency.pk, "name": "mine"}).status_code == 403
    assert client.post(reverse("web:feed-token-revoke", args=[feed.pk])).status_code == 403
    assert FeedToken.objects.count() == 1 and feed_for_token(token) is not None
    with pytest.raises(PermissionDenied):
        feed_token_issue(agency=agency, name="mine", actor=someone)
    with pytest.raises(PermissionDenied):
        feed_token_revoke(feed=feed, actor=someone)


def test_a_hostile_agency_code_cannot_break_the_download_s_file_name(admin_client, tmp_path):
    import_paths([write_feed(tmp_path / "odd.jsonl", [person("P9", agency='x"; evil\r\n.csv')])])

    response = admin_client.get(reverse("web:feed-problems-csv"), {"agency": 'x"; evil\r\n.csv'})

    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="held-lines-x-evil-csv-\d{8}-\d{4}\.csv"',
                        response["Content-Disposition"])


def test_a_head_request_for_the_download_is_refused_and_records_no_export(admin_client, held):
    assert admin_client.head(reverse("web:feed-problems-csv")).status_code == 405
    assert not AuditEntry.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_live_tokens_come_before_revoked_ones(admin_client):
    agency = AgencyFactory(code="met", name="Metropolitan Police Service")
    old, _ = feed_token_issue(agency=agency, name="Old export")
    feed_token_revoke(feed=old)
    live, _ = feed_token_issue(agency=agency, name="New export")

    assert list(admin_client.get(reverse("web:feed-tokens")).context["tokens"]) == [live, old]


def test_retry_with_nothing_held_is_an_important_message_not_a_success(admin_client, db):
    page = admin_client.post(reverse("web:feed-problems-retry"), follow=True).content.decode()
    assert "Important" in page and "govuk-notification-banner--success" not in page


def test_counts_are_written_with_thousands_separators(admin_client, held):
    ImportRun.objects.create(started_at=held[HeldStatus.WAITING].created_at, source="london",
                             counts={"read": 51001, "created": 51001, "quarantined": 1200, "waiting": 3})

    page = admin_client.get(reverse("web:feed-problems")).content.decode()

    assert page.count(">51,001<") == 2 and ">1,203<" in page


def test_the_tokens_page_says_when_each_token_last_sent_a_batch(admin_client, client):
    agency = AgencyFactory(code="met", name="Metropolitan Police Service")
    used, token = feed_token_issue(agency=agency, name="CRIS nightly")
    feed_token_issue(agency=agency, name="Spare export")
    before = timezone.now()

    sent = client.post("/api/v1/intake", b"{broken", content_type="application/x-ndjson",
                       headers={"Authorization": f"Bearer {token}"})
    refused = client.post("/api/v1/intake", b"{broken", content_type="application/x-ndjson",
                          headers={"Authorization": "Bearer lantern_not-a-token"})

    assert (sent.status_code, refused.status_code) == (200, 401)
    used.refresh_from_db()
    assert used.last_batch_at >= before
    rows = {row.name: row.last_batch_at for row in FeedToken.objects.all()}
    assert rows["Spare export"] is None
    page = admin_client.get(reverse("web:feed-tokens")).content.decode()
    assert "Last batch" in page and "None yet" in page
    assert f"{timezone.localtime(used.last_batch_at):%-d %b %Y %H:%M}" in page


def test_the_latest_imports_say_which_were_stopped_part_way_or_never_finished(admin_client, db):
    # A run still going has no counts yet: the page showed an error while any import ran.
    now = timezone.now()
    ImportRun.objects.create(started_at=now, finished_at=now, source="stopped.jsonl", counts={
        "read": 20_000, "created": 20_000, "updated": 0, "unchanged": 0, "quarantined": 0, "waiting": 0, "stopped": 1})
    ImportRun.objects.create(started_at=now, source="running.jsonl")
    ImportRun.objects.create(started_at=now, finished_at=now, source="done.jsonl", counts={
        "read": 5, "created": 5, "updated": 0, "unchanged": 0, "quarantined": 0, "waiting": 0})

    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', admin_client.get(reverse("web:feed-problems"))
                      .content.decode(), re.S)

    tags = {source: re.findall(r"govuk-tag[^>]*>([^<]+)<", row)
            for row in rows for source in ("stopped", "running", "done") if f"{source}.jsonl" in row}
    assert tags == {"stopped": ["Stopped part-way"], "running": ["Not finished"], "done": []}
