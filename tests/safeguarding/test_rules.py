"""Each rule fires when it should, not when it should not, and never twice."""

from lantern.referrals.models import Contact
from lantern.safeguarding.engine import rules_run_scheduled
from lantern.safeguarding.models import Notification, Priority, RuleFiring, Task, TaskStatus

from .conftest import ELSEWHERE, HOME, at


def _kinds(model=Task):  # type: ignore[no-untyped-def]
    return sorted(model.objects.values_list("kind", flat=True))


# A child on a plan or looked after, in a police event -------------------------------------------

def _on_plan(world, child, start="2025-01-10", end=None):  # type: ignore[no-untyped-def]
    plan_record = world.record(child.given_names, child.family_name, child.date_of_birth, agency=world.csc,
                               same_as=child)
    return world.event("child_protection_plan", f"{start} 10:00", [(plan_record, "subject")],
                       {"category": "neglect", "start_date": start, "end_date": end}, agency=world.csc)


def test_a_child_on_a_plan_in_a_police_event_tells_the_social_worker_and_cait_the_same_day(world):
    child = world.record("Leah", "Morgan", "2012-04-17")
    plan = _on_plan(world, child)
    search = world.event("stop_and_search", "2025-06-10 15:00", [(child, "subject")], {"legislation": "pace_s1"})
    report = world.run(plan, search)
    assert report.fired["cp_police_contact"] == 1
    notes = Notification.objects.filter(kind="cp_police_contact").order_by("recipient_role")
    assert [(n.recipient_agency, n.recipient_role) for n in notes] == [
        (world.csc, "Allocated social worker"), (world.met, "Child abuse investigation team")]
    assert all(n.due_at.date().isoformat() == "2025-06-10" for n in notes)


def test_a_plan_that_ended_or_a_non_police_event_does_not_fire(world):
    child = world.record("Leah", "Morgan", "2012-04-17")
    plan = _on_plan(world, child, start="2024-01-10", end="2025-01-10")
    search = world.event("stop_and_search", "2025-06-10 15:00", [(child, "subject")], {"legislation": "pace_s1"})
    concern = world.event("school_concern", "2025-06-10 15:00", [(child, "subject")], {"category": "attendance"},
                          agency=world.school)
    world.run(plan, search, concern)
    assert not Notification.objects.exists()


def test_a_looked_after_child_in_custody_fires_too(world):
    child = world.record("Kai", "Morgan", "2009-04-17", sex="male")
    lac_record = world.record("Kai", "Morgan", "2009-04-17", sex="male", agency=world.csc, same_as=child)
    period = world.event("looked_after_period", "2025-01-01 10:00", [(lac_record, "subject")],
                         {"start_date": "2025-01-01", "legal_status": "care_order"}, agency=world.csc)
    custody = world.event("custody_detention", "2025-06-10 15:00", [(child, "detainee")],
                          {"detained_at": "2025-06-10T15:00:00Z", "released_at": "2025-06-10T19:00:00Z"})
    report = world.run(period, custody)
    assert report.fired["cp_police_contact"] == 1


# Custody ------------------------------------------------------------------------------------

def _custody(world, dob="2009-04-17", **attributes):  # type: ignore[no-untyped-def]
    child = world.record("Kai", "Morgan", dob, sex="male")
    base = {"detained_at": "2025-06-10T15:00:00Z", "released_at": "2025-06-10T19:00:00Z", "charged": False,
            "bail_decision": "released_under_investigation"}
    return world.event("custody_detention", "2025-06-10 15:00", [(child, "detainee")], {**base, **attributes})


def test_a_child_in_custody_means_the_local_authority_is_told_at_once(world):
    report = world.run(_custody(world))
    assert report.fired["custody_la"] == 1
    note = Notification.objects.get(kind="custody_la")
    assert note.recipient_agency == world.csc and note.due_at == at("2025-06-10 15:00")
    assert report.fired["pace_transfer"] == 0 and report.fired["custody_overnight"] == 0


def test_an_adult_in_custody_fires_nothing(world):
    world.run(_custody(world, dob="2007-06-10"))  # 18 that day
    assert not Notification.objects.exists() and not Task.objects.exists()


def test_charged_and_refused_bail_asks_for_a_pace_transfer_with_a_clock(world):
    world.run(_custody(world, charged=True, bail_decision="refused", released_at=None))
    task = Task.objects.get(kind="pace_transfer")
    assert task.owner_agency == world.csc and task.due_at == at("2025-06-10 19:00")
    assert task.status == TaskStatus.OPEN


def test_charged_and_bailed_asks_for_no_transfer(world):
    world.run(_custody(world, charged=True, bail_decision="bailed"))
    assert not Task.objects.filter(kind="pace_transfer").exists()


def test_a_child_kept_overnight_is_escalated(world):
    world.run(_custody(world, released_at="2025-06-11T08:00:00Z"))
    task = Task.objects.get(kind="custody_overnight")
    assert task.escalated_at is not None and task.priority == Priority.HIGH


def test_a_child_still_in_a_cell_after_midnight_is_escalated_by_the_scheduled_run(world):
    event = _custody(world, released_at=None)
    world.run(event)
    assert not Task.objects.filter(kind="custody_overnight").exists()
    rules_run_scheduled(at("2025-06-10 22:00"))
    assert not Task.objects.filter(kind="custody_overnight").exists()
    rules_run_scheduled(at("2025-06-11 00:30"))
    assert Task.objects.filter(kind="custody_overnight").count() == 1
    rules_run_scheduled(at("2025-06-11 01:30"))
    assert Task.objects.filter(kind="custody_overnight").count() == 1


# Missing -----------------------------------------------------------------------------------

def _missing(world, child, day, **attributes):  # type: ignore[no-untyped-def]
    base = {"risk_grade": "medium", "returned_at": f"{day}T23:00:00Z", "return_interview_offered_at": None}
    return world.event("missing_episode", f"{day} 18:00", [(child, "missing_person")], {**base, **attributes})


def test_the_third_missing_episode_in_90_days_calls_for_screening_and_the_second_does_not(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    first, second = _missing(world, child, "2025-03-01"), _missing(world, child, "2025-04-01")
    world.run(first, second)
    assert not Task.objects.filter(kind="exploitation_screening").exists()
    third = _missing(world, child, "2025-05-29")  # 89 days after the first
    report = world.run(third)
    assert report.fired["exploitation_screening"] == 1
    assert "3rd missing episode in 90 days" in Task.objects.get(kind="exploitation_screening").firing.explanation


def test_three_episodes_spread_over_more_than_90_days_do_not(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    events = [_missing(world, child, day) for day in ("2025-03-01", "2025-04-01", "2025-06-01")]
    world.run(*events)
    assert not Task.objects.filter(kind="exploitation_screening").exists()


def test_any_episode_of_a_child_with_an_exploitation_marker_calls_for_screening(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    assessed = world.event("exploitation_assessment", "2025-02-01 10:00", [(child, "subject")],
                           {"exploitation_type": "criminal", "grade": "medium"})
    episode = _missing(world, child, "2025-03-01")
    world.run(assessed, episode)
    task = Task.objects.get(kind="exploitation_screening")
    assert task.priority == Priority.HIGH and "exploitation risk marker" in task.firing.explanation


def test_every_return_means_a_return_interview_within_72_hours_tracked(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    episode = _missing(world, child, "2025-03-01")
    world.run(episode)
    task = Task.objects.get(kind="return_interview")
    assert task.due_at == at("2025-03-04 23:00") and task.status == TaskStatus.OPEN
    # The feed later records the interview offered: the same facts, now showing it done.
    offered = world.event("missing_episode", "2025-03-01 18:00", [(child, "missing_person")],
                          {"risk_grade": "medium", "returned_at": "2025-03-01T23:00:00Z",
                           "return_interview_offered_at": "2025-03-03T10:00:00Z"}, source_id=episode.source_id)
    report = world.run(offered)
    assert report.closed == 1 and report.fired["return_interview"] == 0
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at == at("2025-03-03 10:00")


def test_a_child_still_missing_has_no_return_interview_yet_and_adults_none(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    adult = world.record("Old", "Man", "1950-01-01", sex="male")
    world.run(_missing(world, child, "2025-03-01", returned_at=None), _missing(world, adult, "2025-03-01"))
    assert not Task.objects.exists()


def test_an_unoffered_return_interview_is_escalated_when_overdue(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    world.run(_missing(world, child, "2025-03-01"))
    assert rules_run_scheduled(at("2025-03-04 22:00")).escalated_tasks == 0
    assert rules_run_scheduled(at("2025-03-05 00:00")).escalated_tasks == 1
    assert rules_run_scheduled(at("2025-03-06 00:00")).escalated_tasks == 0
    assert Task.objects.get(kind="return_interview").escalation_reason.startswith("Overdue")


# Domestic abuse: MARAC -------------------------------------------------------------------------

def _da(world, victim, day, risk="standard"):  # type: ignore[no-untyped-def]
    return world.event("domestic_abuse_incident", f"{day} 21:00", [(victim, "victim")],
                       {"children_present": False, "dash_risk": risk, "dash_yes_count": 14 if risk == "high" else 5})


def test_a_third_incident_in_12_months_calls_for_marac(world):
    victim = world.record("Sarah", "Morgan", "1985-02-01")
    events = [_da(world, victim, day) for day in ("2024-06-11", "2025-01-01", "2025-06-10")]
    report = world.run(*events)
    assert report.fired["marac_referral"] == 1
    assert Task.objects.get(kind="marac_referral").event_id == events[-1].pk


def test_the_first_of_three_incidents_just_over_12_months_back_does_not_count(world):
    victim = world.record("Sarah", "Morgan", "1985-02-01")
    events = [_da(world, victim, day) for day in ("2024-06-09", "2025-01-01", "2025-06-10")]
    world.run(*events)
    assert not Task.objects.exists()


def test_a_high_dash_calls_for_marac_and_a_medium_one_does_not(world):
    victim = world.record("Sarah", "Morgan", "1985-02-01")
    other = world.record("Tina", "Jones", "1980-02-01", address=ELSEWHERE)
    world.run(_da(world, victim, "2025-06-10", risk="high"), _da(world, other, "2025-06-10", risk="medium"))
    task = Task.objects.get(kind="marac_referral")
    assert task.priority == Priority.HIGH and task.owner_team == "Domestic abuse team"


# Registered sex offenders ----------------------------------------------------------------------

def _registration(world, offender, grade="very_high"):  # type: ignore[no-untyped-def]
    return world.event("rso_registration", "2025-04-01 10:00", [(offender, "offender")],
                       {"notification_start": "2025-04-01", "notification_end": None, "risk_grade": grade})


def test_an_offender_living_where_a_child_lives_means_a_review(world):
    world.record("Leah", "Morgan", "2014-04-17", agency=world.school)
    offender = world.record("Dean", "Price", "1970-01-01", sex="male")
    report = world.run(_registration(world, offender))
    assert report.fired["rso_child_address"] == 1
    task = Task.objects.get(kind="rso_review")
    assert task.owner_team == "Offender management unit" and task.priority == Priority.VERY_HIGH


def test_an_offender_living_with_adults_only_means_no_review(world):
    world.record("Adult", "Morgan", "1990-04-17")
    offender = world.record("Dean", "Price", "1970-01-01", sex="male")
    world.run(_registration(world, offender))
    assert not Task.objects.filter(kind="rso_review").exists()


def test_an_offender_seen_at_an_address_where_a_child_lives_means_a_review_once(world):
    world.record("Leah", "Morgan", "2014-04-17", agency=world.school)
    offender = world.record("Dean", "Price", "1970-01-01", sex="male", address=ELSEWHERE)
    registration = _registration(world, offender)
    seen = world.event("stop_and_search", "2025-06-10 15:00", [(offender, "subject")],
                       {"legislation": "pace_s1"}, location=HOME)
    seen_again = world.event("stop_and_search", "2025-06-12 15:00", [(offender, "subject")],
                             {"legislation": "pace_s1"}, location=HOME)
    world.run(registration, seen, seen_again)
    assert Task.objects.filter(kind="rso_review").count() == 1
    assert "was seen at" in Task.objects.get(kind="rso_review").firing.explanation


def test_visits_are_scheduled_by_risk_grade_and_the_next_booked_when_one_is_done(world):
    offender = world.record("Dean", "Price", "1970-01-01", sex="male", address=ELSEWHERE)
    world.run(_registration(world, offender, grade="very_high"))
    visit = Task.objects.get(kind="rso_visit")
    assert visit.due_at == at("2025-05-13 10:00") and visit.priority == Priority.VERY_HIGH  # 42 days
    assert rules_run_scheduled(at("2025-05-01 10:00")).fired["rso_visit"] == 0  # one is open
    Task.objects.filter(pk=visit.pk).update(status=TaskStatus.DONE, completed_at=at("2025-05-10 10:00"))
    assert rules_run_scheduled(at("2025-05-11 10:00")).fired["rso_visit"] == 1
    second = Task.objects.filter(kind="rso_visit", status=TaskStatus.OPEN).get()
    assert second.due_at == at("2025-06-21 10:00")


def test_an_overdue_very_high_risk_visit_is_escalated(world):
    offender = world.record("Dean", "Price", "1970-01-01", sex="male", address=ELSEWHERE)
    world.run(_registration(world, offender, grade="very_high"))
    report = rules_run_scheduled(at("2025-05-14 10:00"))
    assert report.escalated_tasks == 1
    assert Task.objects.get(kind="rso_visit").escalated_at == at("2025-05-14 10:00")


# Indecent images --------------------------------------------------------------------------------

def _iioc(world, suspect, **attributes):  # type: ignore[no-untyped-def]
    return world.event("iioc_investigation", "2025-06-10 10:00", [(suspect, "suspect")],
                       {"status": "open", "kirat_priority": "medium", **attributes})


def test_an_images_suspect_with_access_to_children_is_very_high_priority(world):
    at_work = world.record("Dean", "Price", "1970-01-01", sex="male", address=ELSEWHERE)
    world.run(_iioc(world, at_work, access_to_children=True, access_types=["work"]))
    task = Task.objects.get(kind="iioc_priority")
    assert task.priority == Priority.VERY_HIGH


def test_an_images_suspect_living_with_a_child_is_very_high_priority(world):
    world.record("Leah", "Morgan", "2014-04-17", agency=world.school)
    suspect = world.record("Dean", "Price", "1970-01-01", sex="male")
    world.run(_iioc(world, suspect))
    assert Task.objects.filter(kind="iioc_priority").count() == 1


def test_an_images_suspect_without_such_access_or_a_closed_case_is_not(world):
    suspect = world.record("Dean", "Price", "1970-01-01", sex="male", address=ELSEWHERE)
    world.run(_iioc(world, suspect, access_to_children=True, access_types=["family"]),
              _iioc(world, suspect, status="closed", access_types=["household"]))
    assert not Task.objects.exists()


# Child deaths -------------------------------------------------------------------------------------

def test_a_suspicious_child_death_tells_the_homicide_team_and_starts_a_review(world):
    child = world.record("Baby", "Morgan", "2025-01-01")
    world.run(world.event("child_death", "2025-06-10 03:00", [(child, "victim")], {"suspicious": True}))
    assert _kinds() == ["child_death_review"]
    note = Notification.objects.get()
    assert note.kind == "child_death_homicide" and note.recipient_role == "Homicide command"


def test_a_child_death_that_is_not_suspicious_starts_only_the_review(world):
    child = world.record("Baby", "Morgan", "2025-01-01")
    world.run(world.event("child_death", "2025-06-10 03:00", [(child, "subject")], {"suspicious": False}))
    assert _kinds() == ["child_death_review"]
    assert not Notification.objects.exists()


# FGM --------------------------------------------------------------------------------------------

def _fgm(world, girl):  # type: ignore[no-untyped-def]
    return world.event("fgm_report", "2025-06-10 11:00", [(girl, "subject")],
                       {"known_or_at_risk": "known", "mandatory_report": True}, agency=world.health)


def test_fgm_for_a_girl_of_17_means_an_immediate_referral_and_her_sisters_considered(world):
    girl = world.record("Amina", "Yusuf", "2007-06-11", agency=world.health)
    world.record("Hawa", "Yusuf", "2012-01-01", agency=world.school)  # her sister
    world.record("Abdi", "Yusuf", "2013-01-01", sex="male", agency=world.school)  # her brother
    report = world.run(_fgm(world, girl))
    assert report.fired["fgm_referral"] == 1 and report.contacts == 1
    contact = Contact.objects.get()
    assert contact.subject_record == girl and contact.borough.ons_code == "E09000012"
    assert "FGM" in contact.what_happened
    assert Task.objects.get(kind="fgm_referral").due_at == at("2025-06-10 12:00")
    sister = Task.objects.get(kind="sibling_consideration")
    assert "Hawa" in sister.title


def test_fgm_for_a_woman_of_18_is_not_a_child_referral(world):
    woman = world.record("Amina", "Yusuf", "2007-06-10", agency=world.health)
    world.run(_fgm(world, woman))
    assert not Task.objects.exists() and not Contact.objects.exists()


# Never twice, and switched off per borough ----------------------------------------------------------

def test_running_twice_changes_nothing(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    episode = _missing(world, child, "2025-03-01")
    world.run(episode)
    counts = (RuleFiring.objects.count(), Task.objects.count(), Notification.objects.count())
    world.run(episode)
    assert (RuleFiring.objects.count(), Task.objects.count(), Notification.objects.count()) == counts


def test_a_rule_switched_off_in_a_borough_does_not_fire_there(world):
    from lantern.safeguarding.services import rule_setting_change

    rule_setting_change(rule="return_interview", borough=world.hackney, enabled=False, changed_by="test")
    child = world.record("Mia", "Morgan", "2010-04-17")
    episode = _missing(world, child, "2025-03-01")
    world.run(episode)
    assert not Task.objects.filter(kind="return_interview").exists()
    rule_setting_change(rule="return_interview", borough=world.hackney, enabled=True, changed_by="test")
    world.run(episode)
    assert Task.objects.filter(kind="return_interview").count() == 1


def test_every_firing_explains_itself(world):
    child = world.record("Mia", "Morgan", "2010-04-17")
    world.run(_custody(world), _missing(world, child, "2025-03-01"))
    for firing in RuleFiring.objects.all():
        assert "Rule:" in firing.explanation and "Policy:" in firing.explanation and firing.rule_version == "1"


def test_a_registration_that_has_ended_gets_no_more_visits(world):
    current = world.record("Dean", "Price", "1970-01-01", sex="male", address=ELSEWHERE)
    ended = world.record("Ed", "Stone", "1960-01-01", sex="male", address=ELSEWHERE)
    world.event("rso_registration", "2015-04-01 10:00", [(ended, "offender")],
                {"notification_start": "2015-04-01", "notification_end": "2025-04-01", "risk_grade": "high"})
    world.event("rso_registration", "2025-04-01 10:00", [(current, "offender")],
                {"notification_start": "2025-04-01", "notification_end": "2035-04-01", "risk_grade": "low"})
    report = rules_run_scheduled(at("2025-06-01 10:00"))
    assert report.fired["rso_visit"] == 1
    assert Task.objects.get(kind="rso_visit").due_at == at("2026-06-01 10:00")
