"""Recording an assessment: scored again by the engine, saved once, audited; and what the records say."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.risk import engine
from lantern.risk.engine import AssessmentContext
from lantern.risk.models import Assessment
from lantern.risk.selectors import assessment_context, assessments_of, instrument_of
from lantern.risk.services import assessment_record
from tests.factories import AgencyFactory, EventFactory, InvolvementFactory, SourceRecordFactory, UserFactory, borough
from tests.risk.test_engine import answers_for

TODAY = date(2026, 3, 1)
ADULT = AssessmentContext(age=35)


def record_dash(person, actor, yes=14, context=ADULT, **kwargs):
    return assessment_record(person=person, instrument_code="dash", answers=answers_for("dash", yes),
                             context=context, actor=actor, **kwargs)


def test_an_assessment_is_saved_with_its_version_and_audited(researcher, victim):
    assessment = record_dash(victim, researcher, contact_reference="C-123")
    assert (assessment.instrument_code, assessment.instrument_version, assessment.grade) == ("dash", "2009", "high")
    assert assessment.score == 14 and assessment.assessor == researcher and assessment.agency == researcher.agency
    assert assessment.referral_codes == ["marac", "idva"] and assessment.contact_reference == "C-123"
    assert assessment.instrument_digest == engine.instrument("dash").digest
    assert assessment.context["age"] == 35 and len(assessment.answers) == 28
    entry = AuditEntry.objects.get(verb=AuditVerb.RISK_ASSESS)
    assert (entry.actor, entry.target_type, entry.target_id) == (researcher, "risk.assessment", str(assessment.pk))
    assert entry.payload == {"person": victim.reference, "instrument": "dash", "version": "2009", "score": 14,
                             "grade": "high", "referrals": ["idva", "marac"], "contact": "C-123"}


def test_an_assessment_never_changes(researcher, victim):
    assessment = record_dash(victim, researcher)
    assessment.grade = "standard"
    with pytest.raises(TypeError, match="never changes"):
        assessment.save()
    with pytest.raises(TypeError, match="never changes"):
        Assessment.objects.filter(pk=assessment.pk).update(grade="standard")
    with pytest.raises(TypeError, match="never deleted"):
        Assessment.objects.all().delete()


def test_a_refused_assessment_saves_nothing(researcher, victim):
    with pytest.raises(ValidationError) as refused:
        assessment_record(person=victim, instrument_code="missing", answers=answers_for("missing"),
                          context=AssessmentContext(age=15, exploitation_marker=True), actor=researcher,
                          chosen_grade="very_low", rationale="At a friend's house")
    assert "exploitation marker" in refused.value.message_dict["grade"][0]
    with pytest.raises(ValidationError) as unanswered:
        assessment_record(person=victim, instrument_code="dash", answers={}, context=AssessmentContext(),
                          actor=researcher)
    assert len(unanswered.value.message_dict) == 28
    with pytest.raises(ValidationError, match="No live instrument 'darа'"):
        assessment_record(person=victim, instrument_code="darа", answers={}, context=AssessmentContext(),
                          actor=researcher)
    assert not Assessment.objects.exists()
    assert not AuditEntry.objects.filter(verb=AuditVerb.RISK_ASSESS).exists()


@pytest.mark.parametrize("who", ["other_borough", "other_agency_officer", "scrutiny", "admin"])
def test_refused_when_the_person_is_not_visible(researcher, victim, who):
    other = AgencyFactory()
    actor = {
        "other_borough": lambda: UserFactory(role=Role.RESEARCHER, agency=researcher.agency,
                                             borough=borough("E09000022")),
        "other_agency_officer": lambda: UserFactory(role=Role.OFFICER, agency=other),
        "scrutiny": lambda: UserFactory(role=Role.SCRUTINY, agency=None, borough=None),
        "admin": lambda: UserFactory(role=Role.ADMIN),
    }[who]()
    with pytest.raises(PermissionDenied):
        record_dash(victim, actor)
    assert not Assessment.objects.exists()


def test_only_the_assessors_agency_or_the_mash_reads_an_assessment(researcher, victim, police):
    assessment = record_dash(victim, researcher)
    officer = UserFactory(role=Role.OFFICER, agency=police)
    school = AgencyFactory(code="school")
    SourceRecordFactory(agency=school, person=victim)
    teacher = UserFactory(role=Role.PARTNER, agency=school)
    assert list(assessments_of(officer, victim)) == [assessment]
    assert list(assessments_of(teacher, victim)) == []
    assert instrument_of(assessment).version == "2009"


def test_the_context_comes_from_the_records(researcher, victim, police):
    record = victim.source_records.get()
    for days_ago in (10, 200, 300, 400):
        InvolvementFactory(source_record=record, role="victim", event=EventFactory(
            agency=police, type="domestic_abuse_incident", attributes={"children_present": False},
            occurred_at=timezone.make_aware(datetime.combine(TODAY - timedelta(days=days_ago), time(12)))))
    context = assessment_context(victim, TODAY)
    assert (context.age, context.da_incidents_12_months) == (35, 3)
    assert not context.exploitation_marker and not context.marac_referral_within_12_months
    assert not context.learning_disability  # only the assessor can say


def test_exploitation_marker_and_an_earlier_marac_referral(researcher, police):
    child = SourceRecordFactory(agency=police, dob_year=2012, dob_month=5).person
    InvolvementFactory(source_record=child.source_records.get(), role="subject", event=EventFactory(
        agency=police, type="exploitation_assessment", attributes={"exploitation_type": "criminal", "grade": "high"},
        occurred_at=timezone.now() - timedelta(days=20)))
    today = timezone.localdate()
    context = assessment_context(child, today)
    assert context.exploitation_marker and context.age == today.year - 2012 - ((today.month, today.day) < (5, 1))
    assert not context.marac_referral_within_12_months
    record_dash(child, researcher, yes=2, context=context)  # standard: no MARAC referral
    assert not assessment_context(child, today).marac_referral_within_12_months
    record_dash(child, researcher, yes=14, context=context)
    assert assessment_context(child, today).marac_referral_within_12_months
    repeat = record_dash(child, researcher, yes=2, context=assessment_context(child, today))
    assert repeat.grade == "standard" and "marac" in repeat.referral_codes


def test_old_assessments_keep_their_version(researcher, victim, tmp_path, monkeypatch):
    old = record_dash(victim, researcher, yes=12)
    assert old.grade == "medium"
    from tests.risk.test_engine import INSTRUMENTS, new_dash_version
    for path in INSTRUMENTS.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    new_dash_version(tmp_path, "2026.1")  # high from 12 yes answers
    monkeypatch.setattr(engine, "INSTRUMENT_DIR", tmp_path)
    new = record_dash(victim, researcher, yes=12)
    assert (new.instrument_version, new.grade) == ("2026.1", "high")
    old.refresh_from_db()
    assert (old.instrument_version, old.grade) == ("2009", "medium")
    assert instrument_of(old).version == "2009"
