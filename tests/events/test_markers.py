"""Markers come from events and show the event behind them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.core.access import access_person_by_reference
from lantern.events.services import event_receive
from tests.factories import AgencyFactory, SourceRecordFactory, UserFactory, borough


@pytest.fixture
def setup(db):
    police = AgencyFactory(code="met")
    record = SourceRecordFactory(agency=police)
    user = UserFactory(role=Role.RESEARCHER, agency=police, borough=borough())
    return police, record, user


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def add(police, record, source_id, event_type, role, attributes, days):
    return event_receive(agency=police, source_id=source_id, event_type=event_type,
                         occurred_at=days_ago(days), involvements=[(record, role)],
                         attributes=attributes, borough=borough()).event


def markers(user, record):
    return {m.rule.code: m for m in access_person_by_reference(user, record.person.reference).markers}


def test_missing_now_shows_its_episode_and_grade(setup):
    police, record, user = setup
    episode = add(police, record, "M1", "missing_episode", "missing_person",
                  {"risk_grade": "high", "returned_at": None}, 1)
    found = markers(user, record)["missing_now"]
    assert (found.event, found.grade) == (episode, "high")


def test_only_the_newest_episode_decides_missing_now(setup):
    police, record, user = setup
    add(police, record, "M1", "missing_episode", "missing_person",
        {"risk_grade": "low", "returned_at": None}, 20)
    add(police, record, "M2", "missing_episode", "missing_person",
        {"risk_grade": "low", "returned_at": days_ago(1).isoformat()}, 2)
    assert "missing_now" not in markers(user, record)


def test_cp_plan_marker_ends_with_the_plan(setup):
    police, record, user = setup
    today = timezone.localdate()
    add(police, record, "P1", "child_protection_plan", "subject",
        {"category": "neglect", "start_date": (today - timedelta(days=90)).isoformat(),
         "end_date": (today - timedelta(days=1)).isoformat()}, 90)
    assert "cp_plan" not in markers(user, record)
    add(police, record, "P2", "child_protection_plan", "subject",
        {"category": "sexual", "start_date": today.isoformat(), "end_date": None}, 0)
    assert markers(user, record)["cp_plan"].grade == "sexual"


def test_role_matters(setup):
    police, record, user = setup
    add(police, record, "DA1", "domestic_abuse_incident", "suspect",
        {"children_present": False, "dash_risk": "high"}, 5)
    assert "high_risk_da_victim" not in markers(user, record)
    add(police, record, "DA2", "domestic_abuse_incident", "victim",
        {"children_present": False, "dash_risk": "high"}, 4)
    assert "high_risk_da_victim" in markers(user, record)


def test_old_assessments_expire(setup):
    police, record, user = setup
    add(police, record, "X1", "exploitation_assessment", "subject",
        {"exploitation_type": "sexual", "grade": "high"}, 400)
    assert "exploitation_risk" not in markers(user, record)


def test_markers_come_only_from_events_the_user_may_see(setup):
    police, record, user = setup
    other = AgencyFactory(code="other-csc")
    other_record = SourceRecordFactory(agency=other, person=record.person)
    add(other, other_record, "P1", "rso_registration", "offender",
        {"notification_start": "2020-01-01", "risk_grade": "very_high"}, 1000)
    officer = UserFactory(role=Role.OFFICER, agency=police, borough=borough())
    assert "rso" in markers(user, record)
    assert "rso" not in markers(officer, record)
