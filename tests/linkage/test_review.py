"""Reviewers' decisions, and merging and splitting persons by hand."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.linkage.exceptions import NoTrainedModel
from lantern.linkage.models import ChangeKind, PersonChange, ReviewPair, ReviewStatus
from lantern.linkage.services import link_all, person_merge, person_split, review_decide, review_request
from lantern.people.models import Person
from tests.factories import PersonFactory, SourceRecordFactory, UserFactory, borough

pytestmark = pytest.mark.django_db
REASON = "Same school, same GP, same mother named on both records"


def _pair(low, high) -> ReviewPair:
    low, high = sorted((low, high), key=lambda r: r.pk)
    return ReviewPair.objects.create(record_low=low, record_high=high, match_weight=3.2, match_probability=0.9,
                                     raised_at=low.received_at)


def test_same_person_merges_the_smaller_person_into_the_larger():
    big = PersonFactory()
    kept = SourceRecordFactory(person=big)
    SourceRecordFactory(person=big)
    other = SourceRecordFactory()
    reviewer = UserFactory()

    pair = review_decide(pair=_pair(kept, other), same=True, reason=REASON, actor=reviewer)

    old_person = other.person
    other.refresh_from_db()
    old_person.refresh_from_db()
    assert other.person_id == big.pk
    assert old_person.merged_into == big
    assert pair.status == ReviewStatus.SAME and pair.decided_by == reviewer and pair.reason == REASON
    assert PersonChange.objects.filter(person=big, kind=ChangeKind.GREW).exists()
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSON_MERGE, actor=reviewer).exists()
    assert AuditEntry.objects.filter(verb=AuditVerb.LINK_REVIEW, actor=reviewer).exists()


def test_not_the_same_person_splits_a_record_off():
    person = PersonFactory()
    one, two = SourceRecordFactory(person=person), SourceRecordFactory(person=person)

    review_decide(pair=_pair(one, two), same=False, reason=REASON, actor=UserFactory())

    one.refresh_from_db()
    two.refresh_from_db()
    assert one.person_id != two.person_id
    assert PersonChange.objects.filter(person=person, kind=ChangeKind.SPLIT).exists()


def test_a_decision_needs_a_reason_and_is_made_once():
    pair = _pair(SourceRecordFactory(), SourceRecordFactory())
    reviewer = UserFactory(username="first-reviewer")

    with pytest.raises(ValidationError, match="reason"):
        review_decide(pair=pair, same=True, reason="yes", actor=reviewer)
    review_decide(pair=pair, same=True, reason=REASON, actor=reviewer)
    with pytest.raises(ValidationError, match="first-reviewer already decided"):
        review_decide(pair=pair, same=False, reason=REASON, actor=UserFactory())


def test_merging_by_hand_keeps_the_old_reference_resolvable_and_remembers_the_decision():
    source, target = PersonFactory(), PersonFactory()
    moved, stayed = SourceRecordFactory(person=source), SourceRecordFactory(person=target)

    person_merge(source=source, target=target, reason=REASON, actor=UserFactory())

    source.refresh_from_db()
    moved.refresh_from_db()
    assert source.merged_into == target and moved.person == target
    low, high = sorted((moved.pk, stayed.pk))
    assert ReviewPair.objects.get(record_low=low, record_high=high).status == ReviewStatus.SAME
    with pytest.raises(ValidationError):
        person_merge(source=target, target=target, reason=REASON)


def test_splitting_by_hand_makes_a_new_person_and_keeps_them_apart():
    person = PersonFactory()
    stays, goes = SourceRecordFactory(person=person), SourceRecordFactory(person=person)

    new_person = person_split(person=person, records=[goes], reason=REASON, actor=UserFactory())

    goes.refresh_from_db()
    assert goes.person == new_person != person
    low, high = sorted((stays.pk, goes.pk))
    assert ReviewPair.objects.get(record_low=low, record_high=high).status == ReviewStatus.DIFFERENT
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSON_SPLIT).exists()


def test_a_split_must_leave_a_record_and_move_only_this_persons_records():
    person = PersonFactory()
    only = SourceRecordFactory(person=person)

    with pytest.raises(ValidationError, match="at least one record"):
        person_split(person=person, records=[only], reason=REASON)
    with pytest.raises(ValidationError, match="belong to this person"):
        person_split(person=person, records=[SourceRecordFactory()], reason=REASON)


def test_asking_for_a_review_before_any_model_is_refused_plainly():
    with pytest.raises(NoTrainedModel, match="lantern link"):
        review_request(record=SourceRecordFactory(), other=SourceRecordFactory(), because=REASON,
                       actor=UserFactory())


def test_a_user_who_doubts_a_link_sends_it_to_review_from_the_person_page(imported, client):
    link_all()
    person = Person.objects.annotate(n=Count("source_records")).filter(n__gte=3).order_by("pk").first()
    record = person.source_records.order_by("pk").last()
    user = UserFactory(role=Role.RESEARCHER, agency=record.agency, borough=record.borough or borough())
    client.force_login(user)
    page = client.get(reverse("web:person", args=[person.reference])).content.decode()
    assert "Link strength" in page and "Not scored" not in page  # every record is scored by the model
    url = reverse("web:person-record-not-same", args=[person.reference, record.pk])
    response = client.post(url, {"because": "The school says this is her cousin"})
    assert response.status_code == 302 and response["Location"].endswith("#provenance")
    pair = ReviewPair.objects.get(raised_by=user)
    assert record.pk in (pair.record_low_id, pair.record_high_id)
    assert pair.raised_because == "The school says this is her cousin" and pair.status == ReviewStatus.PENDING
    assert AuditEntry.objects.filter(verb=AuditVerb.LINK_REVIEW, actor=user).exists()
