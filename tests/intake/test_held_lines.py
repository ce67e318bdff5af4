"""Held lines that close without going in: superseded by a later line for the same record, or
dismissed by an administrator with a reason."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.intake.console import describe_counts
from lantern.intake.held import held_lines_dismiss
from lantern.intake.importer import import_paths
from lantern.intake.models import HeldLine, HeldStatus
from tests.factories import UserFactory
from tests.intake.feeds import AGENCIES, event, person, write_feed

pytestmark = pytest.mark.django_db

BAD_NHS = {"nhs_number": "9434765918"}  # its check digit is wrong


@pytest.fixture
def agencies(tmp_path):
    return write_feed(tmp_path / "agencies.jsonl", AGENCIES)


def send(tmp_path, agencies, name, lines):
    return import_paths([agencies, write_feed(tmp_path / name, lines)])


def test_a_held_line_is_superseded_when_its_record_is_sent_again_and_goes_in(tmp_path, agencies):
    send(tmp_path, agencies, "monday.jsonl", [person("P1", **BAD_NHS), event("E1", ("P1", "victim"), type="nobody")])
    assert HeldLine.objects.filter(status=HeldStatus.QUARANTINED).count() == 2

    tuesday = send(tmp_path, agencies, "tuesday.jsonl", [person("P1"), event("E1", ("P1", "victim"))])

    assert (tuesday.counts["created"], tuesday.counts["superseded"]) == (2, 2)
    assert not HeldLine.objects.exclude(status=HeldStatus.RESOLVED).exists()
    assert {held.resolution for held in HeldLine.objects.all()} == {
        f"superseded: the agency sent this {kind} again and it went in (import {tuesday.pk})"
        for kind in ("person", "event")}
    assert "2 held lines superseded by records sent again" in describe_counts(tuesday.counts)


def test_a_held_line_sent_again_in_the_same_run_as_its_record_stays_held(tmp_path, agencies):
    bad = person("P1", **BAD_NHS)
    send(tmp_path, agencies, "monday.jsonl", [bad])
    tuesday = send(tmp_path, agencies, "tuesday.jsonl", [person("P1"), bad])  # the bad line is still its latest
    assert tuesday.counts["superseded"] == 0
    held = HeldLine.objects.get()
    assert (held.status, held.last_run_id) == (HeldStatus.QUARANTINED, tuesday.pk)


def test_within_one_run_a_held_line_is_never_superseded(tmp_path, agencies):
    run = send(tmp_path, agencies, "monday.jsonl", [person("P1", **BAD_NHS), person("P1")])
    assert (run.counts["created"], run.counts["superseded"]) == (2 + 1, 0)  # the agencies, P1
    assert HeldLine.objects.get().status == HeldStatus.QUARANTINED


def test_only_the_same_agencys_record_written_anew_supersedes(tmp_path, agencies):
    send(tmp_path, agencies, "monday.jsonl", [person("P1", agency="csc-e09000012", **BAD_NHS), person("P2")])
    send(tmp_path, agencies, "tuesday.jsonl", [person("P1"), person("P2", **BAD_NHS)])
    # Sent once more unchanged: P2 is not written anew, so its newer held line stays.
    wednesday = send(tmp_path, agencies, "wednesday.jsonl", [person("P2")])
    assert (wednesday.counts["unchanged"], wednesday.counts["superseded"]) == (2 + 1, 0)
    assert sorted(HeldLine.objects.filter(status=HeldStatus.QUARANTINED).values_list("agency", "source_id")) == [
        ("csc-e09000012", "P1"), ("met", "P2")]


def test_an_administrator_dismisses_held_lines_with_a_reason(tmp_path, agencies, capsys):
    (tmp_path / "feed.jsonl").write_bytes(b"\xff not utf-8\n" + b"{nope\n")
    import_paths([tmp_path / "feed.jsonl"])
    first, second = HeldLine.objects.order_by("pk")

    call_command("quarantine", "dismiss", str(first.pk), "--reason", "  sent again as UTF-8 ")

    assert "1 held line(s) dismissed." in capsys.readouterr().out
    first.refresh_from_db()
    assert (first.status, first.resolution) == (
        HeldStatus.RESOLVED, "dismissed by an administrator on the server: sent again as UTF-8")
    entry = AuditEntry.objects.get(verb=AuditVerb.HELD_DISMISS)
    assert (entry.reason, entry.payload) == ("sent again as UTF-8", {"lines": [first.pk]})
    call_command("quarantine", "show", str(first.pk))
    assert "dismissed by an administrator on the server: sent again as UTF-8" in capsys.readouterr().out
    call_command("quarantine", "list")
    assert "1 held line(s)" in capsys.readouterr().out


def test_dismissing_refuses_unknown_lines_a_blank_reason_and_anyone_but_an_administrator(tmp_path, agencies):
    (tmp_path / "feed.jsonl").write_bytes(b"{nope\n")
    import_paths([tmp_path / "feed.jsonl"])
    held = HeldLine.objects.get()
    with pytest.raises(CommandError, match=r"No open held line 999999: nothing was dismissed"):
        call_command("quarantine", "dismiss", str(held.pk), "999999", "--reason", "gone")
    with pytest.raises(CommandError, match="Say why the lines are dismissed"):
        call_command("quarantine", "dismiss", str(held.pk), "--reason", "   ")
    with pytest.raises(PermissionDenied):
        held_lines_dismiss(held=[held], actor=UserFactory(role=Role.RESEARCHER), reason="gone")
    assert HeldLine.objects.get().status == HeldStatus.QUARANTINED
    assert held_lines_dismiss(held=[held], actor=UserFactory(role=Role.ADMIN), reason="gone") == 1
    assert HeldLine.objects.get().resolution.startswith("dismissed by ")


def test_a_changed_record_that_goes_in_as_a_new_version_supersedes_too(tmp_path, agencies):
    send(tmp_path, agencies, "monday.jsonl", [person("P1"), person("P1", **BAD_NHS)])
    tuesday = send(tmp_path, agencies, "tuesday.jsonl", [person("P1", nhs_number="9434765919")])
    assert (tuesday.counts["updated"], tuesday.counts["superseded"]) == (1, 1)
    assert HeldLine.objects.get().status == HeldStatus.RESOLVED


def test_a_run_that_writes_nothing_anew_looks_for_nothing_to_supersede(tmp_path, agencies):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    send(tmp_path, agencies, "monday.jsonl", [person("P1"), person("P2", **BAD_NHS)])
    with CaptureQueriesContext(connection) as queries:
        again = send(tmp_path, agencies, "monday.jsonl", [person("P1")])
    assert again.counts["unchanged"] == 2 + 1
    assert not [q for q in queries.captured_queries if "superseded: " in q["sql"]]  # the held lines' UPDATE
