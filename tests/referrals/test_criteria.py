"""Imported events that meet referral criteria become contacts on their own, once each."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from lantern.intake.importer import import_paths
from lantern.referrals.models import Contact, Source, Trigger
from tests.intake.feeds import AGENCIES, event, person, write_feed


def _recent(days: int = 1) -> str:
    return (timezone.now() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _import(tmp_path: Path, lines: list[dict]) -> None:
    import_paths([write_feed(tmp_path / f"feed-{len(list(tmp_path.iterdir()))}.jsonl", [*AGENCIES, *lines])])


@pytest.mark.django_db
def test_the_three_criteria_make_contacts_for_children_only(tmp_path: Path) -> None:
    when = _recent()
    _import(tmp_path, [
        person("CHILD-1"), person("ADULT-1", given_names="Dean", date_of_birth="1984-09"),
        person("CHILD-2", given_names="Kayden", date_of_birth="2012-01-30"),
        event("DA-1", ("ADULT-1", "victim"), ("CHILD-1", "child_present"), type="domestic_abuse_incident",
              occurred_at=when, attributes={"children_present": True, "childs_voice": "I hid upstairs"}),
        event("CUST-1", ("CHILD-2", "detainee"), type="custody_detention", occurred_at=when,
              attributes={"detained_at": when, "charged": True, "bail_decision": "refused"}),
        event("CUST-2", ("ADULT-1", "detainee"), type="custody_detention", occurred_at=when,
              attributes={"detained_at": when}),
        event("MISS-1", ("CHILD-1", "missing_person"), occurred_at=when,
              attributes={"risk_grade": "medium", "returned_at": when}),
        event("MISS-2", ("CHILD-2", "missing_person"), occurred_at=when,
              attributes={"risk_grade": "high", "returned_at": None}),
    ])

    made = {(c.trigger, c.subject_record.source_id) for c in Contact.objects.select_related("subject_record")}
    assert made == {(Trigger.DA_CHILD_PRESENT, "CHILD-1"), (Trigger.CHILD_IN_CUSTODY, "CHILD-2"),
                    (Trigger.MISSING_RETURN, "CHILD-1")}
    custody = Contact.objects.get(trigger=Trigger.CHILD_IN_CUSTODY)
    assert custody.source == Source.AUTOMATIC and custody.borough.ons_code == "E09000012"
    assert custody.person_id == custody.subject_record.person_id and custody.due_at > custody.received_at
    assert "Bail decision: refused" in custody.what_happened
    assert "I hid upstairs" in Contact.objects.get(trigger=Trigger.DA_CHILD_PRESENT).what_happened


@pytest.mark.django_db
def test_sending_the_feed_again_or_a_missing_childs_return_later_changes_only_what_is_new(tmp_path: Path) -> None:
    when = _recent()
    missing = event("MISS-1", ("CHILD-1", "missing_person"), occurred_at=when,
                    attributes={"risk_grade": "medium", "returned_at": None})
    _import(tmp_path, [person("CHILD-1"), missing])
    assert not Contact.objects.exists()

    returned = {**missing, "attributes": {"risk_grade": "medium", "returned_at": when}}
    _import(tmp_path, [person("CHILD-1"), returned])
    _import(tmp_path, [person("CHILD-1"), returned])
    assert Contact.objects.filter(trigger=Trigger.MISSING_RETURN).count() == 1


@pytest.mark.django_db
def test_history_older_than_the_window_makes_no_contacts(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANTERN_AUTO_CONTACT_WINDOW_DAYS = 14
    old = _recent(days=30)
    _import(tmp_path, [person("CHILD-1"), event("MISS-1", ("CHILD-1", "missing_person"), occurred_at=old,
                                                attributes={"risk_grade": "low", "returned_at": old})])
    assert not Contact.objects.exists()
