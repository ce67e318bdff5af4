"""The front door's services: contacts in, triage, partners' answers, decisions and the clocks."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lantern.core.access import readable_answers
from lantern.core.models import AuditEntry, AuditVerb
from lantern.events.models import Event, EventType
from lantern.people.models import SourceRecord
from lantern.referrals.models import Contact, InformationRequest, Outcome, RatingChange, Source, Status
from lantern.referrals.selectors import mash_queue, overdue_contacts_about, queue_counts
from lantern.referrals.services import (
    AgreedAction,
    EditConflict,
    NewContact,
    clocks_check,
    contact_allocate,
    contact_create,
    contact_decide,
    contact_rate,
    contact_update,
    information_request_agree,
    information_request_answer,
    information_request_create,
    strategy_discussion_record,
)

from .conftest import LONDON, MONDAY_10AM, FrontDoor, officer_contact


def test_an_officers_contact_reaches_its_boroughs_mash_linked_with_its_clock_running(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)

    assert contact.borough.ons_code == "E09000012"  # from the child's postcode
    assert contact.person is not None and contact.subject_record.person_id == contact.person_id
    assert contact.status == Status.OPEN and contact.rating == ""
    # Unrated: one working day from 10:00 on Monday.
    assert contact.due_at == datetime(2026, 11, 17, 10, 0, tzinfo=LONDON)
    assert contact.clock_basis == "Not yet rated: 1 working day from receipt"
    # The contact is in the person's chronology as an event of its own.
    assert Event.objects.get(pk=contact.event_id).type == EventType.CONTACT
    assert AuditEntry.objects.filter(verb=AuditVerb.CONTACT_CREATE, target_id=contact.reference).exists()


def test_the_officers_risk_consideration_is_mandatory_and_nothing_is_kept_without_it(front_door: FrontDoor) -> None:
    with pytest.raises(ValidationError) as refused:
        officer_contact(front_door, risk_consideration="", action_taken="")

    assert set(refused.value.message_dict) == {"risk_consideration", "action_taken"}
    assert not Contact.objects.exists() and not SourceRecord.objects.exists()


def test_a_contact_sent_twice_is_one_contact(front_door: FrontDoor) -> None:
    first = officer_contact(front_door, key="a" * 32)
    second = officer_contact(front_door, key="a" * 32)

    assert first.pk == second.pk and Contact.objects.count() == 1


def test_a_contact_with_no_london_postcode_goes_to_the_reporters_borough_or_is_refused(
        front_door: FrontDoor) -> None:
    subject = {"given_names": "Sam", "address": None}
    contact = officer_contact(front_door, subject=subject)
    assert contact.borough_id == front_door.officer.borough_id

    with pytest.raises(ValidationError) as refused:
        contact_create(NewContact(source=Source.PUBLIC, subject=subject, what_happened="Crying in the street"))
    assert "postcode" in refused.value.message_dict


def test_a_referral_from_a_professional_needs_a_decision_within_one_working_day(front_door: FrontDoor) -> None:
    thursday_3pm = datetime(2026, 11, 19, 15, 0, tzinfo=LONDON)
    contact = contact_create(NewContact(source=Source.PARTNER, reporter_role="dsl", what_happened="Bruising seen",
                                        subject={"given_names": "Leah", "address": {"postcode": "E5 8HP"}}),
                             reporter=front_door.teacher, now=thursday_3pm)
    contact = contact_rate(contact=contact, rating="green", reason="Needs a service, no immediate risk",
                           actor=front_door.researcher, expected_version=1)

    # Green allows 72 hours (Sunday 15:00), but a referral's decision is due by Friday 15:00.
    assert contact.due_at == datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)
    assert "Working Together" in contact.clock_basis


def test_rating_sets_the_clock_from_receipt_and_keeps_the_reason(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)
    contact = contact_rate(contact=contact, rating="red", reason="Immediate risk: out alone at night",
                           actor=front_door.researcher, expected_version=1)

    assert contact.due_at == MONDAY_10AM + timedelta(hours=4)
    contact = contact_rate(contact=contact, rating="amber", reason="Safe with relative tonight",
                           actor=front_door.researcher, expected_version=contact.version)
    assert contact.due_at == datetime(2026, 11, 19, 10, 0, tzinfo=LONDON)  # 24 working hours: 3 working days
    assert list(RatingChange.objects.values_list("from_rating", "to_rating")) == [("", "red"), ("red", "amber")]
    with pytest.raises(ValidationError):
        contact_rate(contact=contact, rating="red", reason="", actor=front_door.researcher,
                     expected_version=contact.version)


def test_a_change_made_from_an_old_version_is_refused_naming_who_changed_it(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)
    seen_by_both = contact.version
    contact_update(contact=contact, changes={"screening_notes": "Known to CSC in 2024"}, actor=front_door.colleague,
                   expected_version=seen_by_both)

    stale = Contact.objects.get(pk=contact.pk)
    with pytest.raises(EditConflict) as clash:
        contact_update(contact=stale, changes={"screening_notes": "Nothing known"}, actor=front_door.researcher,
                       expected_version=seen_by_both)

    assert "Joe Bloggs changed this contact" in str(clash.value)
    assert Contact.objects.get(pk=contact.pk).screening_notes == "Known to CSC in 2024"


def test_only_its_own_mash_triages_a_contact(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)

    for outsider in (front_door.lambeth_researcher, front_door.officer, front_door.teacher):
        with pytest.raises(PermissionDenied):
            contact_rate(contact=contact, rating="red", reason="Because I say so", actor=outsider, expected_version=1)


def test_a_researcher_takes_a_contact_and_a_supervisor_gives_one(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)
    contact = contact_allocate(contact=contact, to=front_door.researcher, actor=front_door.researcher,
                               expected_version=1)
    assert contact.allocated_to == front_door.researcher

    with pytest.raises(PermissionDenied):
        contact_allocate(contact=contact, to=front_door.colleague, actor=front_door.researcher,
                         expected_version=contact.version)
    contact = contact_allocate(contact=contact, to=front_door.colleague, actor=front_door.supervisor,
                               expected_version=contact.version)
    assert contact.allocated_to == front_door.colleague
    with pytest.raises(ValidationError):
        contact_allocate(contact=contact, to=front_door.lambeth_researcher, actor=front_door.supervisor,
                         expected_version=contact.version)


def test_a_partners_answer_is_due_from_the_rating_and_stays_in_the_mash_until_agreed(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)
    contact = contact_rate(contact=contact, rating="red", reason="Immediate risk tonight",
                           actor=front_door.researcher, expected_version=1, now=MONDAY_10AM)
    asked = information_request_create(contact=contact, agency=front_door.school, actor=front_door.researcher,
                                       question="Attendance and any concerns this term?", now=MONDAY_10AM)
    assert asked.due_at == MONDAY_10AM + timedelta(hours=2)  # red: 2 working hours
    again = information_request_create(contact=contact, agency=front_door.school, actor=front_door.researcher,
                                       question="Attendance and any concerns this term?")
    assert again.pk == asked.pk

    with pytest.raises(PermissionDenied):
        information_request_answer(asked=asked, answer="Nothing", agree_wider_use=False, actor=front_door.gp)
    information_request_answer(asked=asked, answer="Absent 9 days this term; said she is scared at home.",
                               agree_wider_use=False, actor=front_door.teacher)
    with pytest.raises(ValidationError, match="Helen Clarke already answered"):
        information_request_answer(asked=asked, answer="More", agree_wider_use=False, actor=front_door.teacher)

    assert list(readable_answers(front_door.researcher, contact)) == [asked]
    assert list(readable_answers(front_door.officer, contact)) == []  # the officer who reported it
    information_request_agree(asked=InformationRequest.objects.get(pk=asked.pk), actor=front_door.teacher)
    assert list(readable_answers(front_door.officer, contact)) == [asked]


def test_a_decision_stops_the_clock_once_and_a_strategy_discussion_follows_section_47(
        front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)
    with pytest.raises(ValidationError, match="significant harm"):
        strategy_discussion_record(contact=contact, held_at=MONDAY_10AM, attendees=[], decision="x", actions=[],
                                   actor=front_door.researcher)
    decision = contact_decide(contact=contact, outcome=Outcome.STRATEGY_DISCUSSION, reasons="Disclosure of abuse",
                              agencies_told=[front_door.school], actor=front_door.supervisor, expected_version=1)
    assert Contact.objects.get(pk=contact.pk).status == Status.DECIDED
    assert list(decision.agencies_told.all()) == [front_door.school]
    with pytest.raises(ValidationError, match="already recorded a decision"):
        contact_decide(contact=Contact.objects.get(pk=contact.pk), outcome=Outcome.NO_FURTHER_ACTION,
                       reasons="Changed my mind", agencies_told=[], actor=front_door.researcher, expected_version=2)

    with pytest.raises(ValidationError) as refused:
        strategy_discussion_record(contact=contact, held_at=MONDAY_10AM, decision="s47 enquiry",
                                   attendees=[{"name": "Tom", "agency": "Met"}], actions=[],
                                   actor=front_door.supervisor)
    assert "attendees" in refused.value.message_dict
    discussion = strategy_discussion_record(
        contact=contact, held_at=MONDAY_10AM, decision="s47 enquiry led by CSC",
        attendees=[{"name": "Tom Okafor", "agency": "Met"}, {"name": "Amira Haddad", "agency": "Hackney CSC"}],
        actions=[AgreedAction("Joint visit", "DC Hughes", "Met", MONDAY_10AM.date() + timedelta(days=1))],
        actor=front_door.supervisor)
    assert discussion.actions.get().owner == "DC Hughes"


def test_the_clocks_escalate_overdue_and_unallocated_contacts_once_and_chase_partners(front_door: FrontDoor) -> None:
    overdue = officer_contact(front_door)
    overdue = contact_rate(contact=overdue, rating="red", reason="Immediate risk tonight",
                           actor=front_door.researcher, expected_version=1)
    contact_allocate(contact=overdue, to=front_door.researcher, actor=front_door.researcher,
                     expected_version=overdue.version)
    unallocated = officer_contact(front_door, now=MONDAY_10AM + timedelta(hours=3))
    asked = information_request_create(contact=overdue, agency=front_door.school, question="Anything known?",
                                       actor=front_door.researcher, now=MONDAY_10AM)

    # 14:30: the red contact (due 14:00) is overdue; the other has had no researcher since 13:00 (alert at 15:00).
    report = clocks_check(now=datetime(2026, 11, 16, 14, 30, tzinfo=LONDON))
    assert (report.escalated, report.chased) == (1, 1)
    assert Contact.objects.get(pk=overdue.pk).escalation_reason.startswith("Overdue")
    assert clocks_check(now=datetime(2026, 11, 16, 14, 31, tzinfo=LONDON)).escalated == 0

    later = clocks_check(now=datetime(2026, 11, 16, 15, 30, tzinfo=LONDON))
    assert later.escalated == 1
    assert Contact.objects.get(pk=unallocated.pk).escalation_reason.startswith("No named researcher")
    assert InformationRequest.objects.get(pk=asked.pk).chase_count == 1  # chased again only after another 2 hours
    assert AuditEntry.objects.filter(verb=AuditVerb.CONTACT_ESCALATE).count() == 2


def test_an_overdue_contact_shows_among_the_persons_overdue_actions_for_those_who_may_see_it(
        front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)  # due Tuesday 10:00
    tuesday_noon = datetime(2026, 11, 17, 12, 0, tzinfo=LONDON)

    overdue = overdue_contacts_about(front_door.researcher, contact.person, tuesday_noon)
    assert [action.label for action in overdue] == [f"MASH decision on contact {contact.reference}"]
    assert overdue_contacts_about(front_door.researcher, contact.person, MONDAY_10AM) == []
    assert overdue_contacts_about(front_door.lambeth_researcher, contact.person, tuesday_noon) == []


def test_the_queue_puts_overdue_contacts_first_then_the_soonest_due(front_door: FrontDoor) -> None:
    green = officer_contact(front_door, now=MONDAY_10AM)
    contact_rate(contact=green, rating="green", reason="No immediate risk seen", actor=front_door.researcher,
                 expected_version=1)
    red = officer_contact(front_door, now=MONDAY_10AM + timedelta(hours=1))
    contact_rate(contact=red, rating="red", reason="Immediate risk tonight", actor=front_door.researcher,
                 expected_version=1)
    unrated = officer_contact(front_door, now=MONDAY_10AM - timedelta(days=3))  # Friday 10:00, due Monday 10:00
    now = MONDAY_10AM + timedelta(hours=2)

    queue = list(mash_queue(front_door.researcher, "open", now))
    assert queue == [unrated, red, green]
    assert list(mash_queue(front_door.researcher, "overdue", now)) == [unrated]
    assert list(mash_queue(front_door.lambeth_researcher, "open", now)) == []
    assert list(mash_queue(front_door.officer, "open", now)) == []
    counts = queue_counts(front_door.researcher, now)
    assert (counts.open, counts.overdue, counts.unallocated) == (3, 1, 3)
