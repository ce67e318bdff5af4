"""Investigation services: open (with its SPOC), join with a reason, decline, separate, optimistic locking,
bail conditions and their expiry, SPOCs and the family's contact log; each audited."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lantern.core.models import AuditEntry, AuditVerb
from lantern.investigations.models import (
    BoroughSpoc,
    FamilySpoc,
    InvestigationEvent,
    InvestigationPerson,
    InvestigationRole,
    InvestigationStatus,
    JoinProposal,
    ProposalStatus,
    Strand,
)
from lantern.investigations.overlap import propose_joins
from lantern.investigations.services import (
    EditConflict,
    bail_condition_add,
    borough_spoc_assign,
    contact_log_add,
    current_family_spoc,
    family_spoc_assign,
    investigation_close,
    investigation_update,
    proposal_decline,
    proposal_join,
)
from tests.factories import borough

from .conftest import HACKNEY, Case

REASON = "Same victim and suspect, same household"


def verbs() -> list[str]:
    return list(AuditEntry.objects.values_list("verb", flat=True))


def test_open_links_the_event_its_people_and_names_the_officer_as_spoc(case: Case) -> None:
    investigation = case.open()
    assert investigation.status == InvestigationStatus.OPEN and investigation.borough.ons_code == HACKNEY
    assert list(investigation.linked_events.values_list("event_id", flat=True)) == [case.da.pk]
    roles = set(InvestigationPerson.objects.filter(investigation=investigation).values_list("person_id", "role"))
    assert roles == {(case.dean.person_id, InvestigationRole.SUSPECT), (case.leah.person_id, InvestigationRole.CHILD),
                     (case.kayden.person_id, InvestigationRole.CHILD)}
    assert investigation.family.address == case.leah.address
    spoc = current_family_spoc(investigation.family)
    assert spoc is not None and spoc.spoc == case.investigator
    assert AuditVerb.INVESTIGATION_CREATE in verbs() and AuditVerb.SPOC_ASSIGN in verbs()


def test_only_investigators_and_supervisors_open(case: Case) -> None:
    for user in (case.officer, case.researcher, case.social_worker):
        with pytest.raises(PermissionDenied):
            case.open(actor=user, officer=case.investigator)
    assert case.open(actor=case.supervisor, officer=case.investigator).officer == case.investigator


def test_open_refuses_what_it_cannot_be(case: Case) -> None:
    with pytest.raises(ValidationError) as refused:
        case.open(title=" ", strands=[])
    assert set(refused.value.message_dict) == {"title", "strands"}
    school = case.event("school_concern", [(case.leah, "subject")], category="attendance")
    with pytest.raises(ValidationError, match="cannot start an investigation"):
        case.open(event=school)
    with pytest.raises(ValidationError, match="officer"):
        case.open(officer=case.social_worker)


def test_an_overlapping_event_needs_a_reason_for_a_separate_investigation(case: Case) -> None:
    first = case.open()
    crime = case.crime([(case.leah, "victim"), (case.dean, "suspect")])
    with pytest.raises(ValidationError) as refused:
        case.open(event=crime, title="Rape")
    assert first.reference in refused.value.message_dict["separate_reason"][0]
    second = case.open(event=crime, title="Rape", separate_reason="A different offender team leads rape cases")
    proposal = JoinProposal.objects.get(event=crime, investigation=first)
    assert proposal.status == ProposalStatus.DECLINED and second.reference in proposal.reason
    # One family, one SPOC: the second case keeps the family's SPOC.
    assert FamilySpoc.objects.filter(family=first.family, ended_at__isnull=True).count() == 1


def test_join_with_a_reason(case: Case) -> None:
    investigation = case.open()
    mother = case.record(case.met, "Dawn", "Morgan", "1985", {"line1": "14 Clapton Square", "postcode": "E5 8HP",
                                                             "uprn": "100021012345"})
    crime = case.crime([(case.leah, "victim"), (case.dean, "suspect"), (mother, "reporting_person")])
    propose_joins([crime.pk])
    proposal = JoinProposal.objects.get(event=crime)
    with pytest.raises(ValidationError, match="at least 10"):
        proposal_join(proposal=proposal, reason="same", actor=case.investigator)
    proposal_join(proposal=proposal, reason=REASON, actor=case.investigator)
    link = InvestigationEvent.objects.get(investigation=investigation, event=crime)
    assert (link.reason, link.joined_by) == (REASON, case.investigator)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.reason) == (ProposalStatus.JOINED, case.investigator, REASON)
    assert InvestigationPerson.objects.filter(investigation=investigation, person=mother.person,
                                              role=InvestigationRole.WITNESS).exists()
    # A rape in the home joined to a domestic abuse case makes it a sexual offences case too.
    investigation.refresh_from_db()
    assert investigation.strands == [Strand.DOMESTIC_ABUSE, Strand.SEXUAL_OFFENCES] and investigation.version == 2
    entry = AuditEntry.objects.get(verb=AuditVerb.INVESTIGATION_JOIN)
    assert entry.reason == REASON and entry.payload["event"] == crime.pk
    with pytest.raises(ValidationError, match="already decided"):
        proposal_join(proposal=proposal, reason=REASON, actor=case.supervisor)


def test_only_those_working_on_it_decide(case: Case) -> None:
    case.open()
    crime = case.crime([(case.leah, "victim")])
    propose_joins([crime.pk])
    proposal = JoinProposal.objects.get(event=crime)
    for user in (case.researcher, case.officer, case.lambeth_supervisor, case.social_worker):
        with pytest.raises(PermissionDenied):
            proposal_join(proposal=proposal, reason=REASON, actor=user)
    proposal_join(proposal=proposal, reason=REASON, actor=case.supervisor)


def test_decline_and_start_separate(case: Case) -> None:
    first = case.open()
    crime = case.crime([(case.leah, "victim")])
    other = case.crime([(case.kayden, "victim")], category="sexual")
    propose_joins([crime.pk, other.pk])
    declined = JoinProposal.objects.get(event=crime)
    assert proposal_decline(proposal=declined, reason="Not connected: a stranger offence", actor=case.colleague) \
        is None
    declined.refresh_from_db()
    assert declined.status == ProposalStatus.DECLINED and not crime.investigation_links.exists()
    separate = proposal_decline(proposal=JoinProposal.objects.get(event=other), reason="Needs its own team",
                                actor=case.colleague, start_separate=True)
    assert separate is not None and separate != first
    assert separate.officer == case.colleague and Strand.SEXUAL_OFFENCES in separate.strands
    assert list(separate.linked_events.values_list("event_id", flat=True)) == [other.pk]


def test_optimistic_lock(case: Case) -> None:
    investigation = case.open()
    seen = investigation.version
    investigation_update(investigation=investigation, title="DA and rape at Clapton Square",
                         strands=[Strand.DOMESTIC_ABUSE, Strand.SEXUAL_OFFENCES], officer=case.colleague,
                         actor=case.supervisor, expected_version=seen)
    with pytest.raises(EditConflict, match="Tom Okafor changed this investigation"):
        investigation_close(investigation=investigation, reason="No further action: victim withdrew",
                            actor=case.investigator, expected_version=seen)
    investigation.refresh_from_db()
    assert investigation.status == InvestigationStatus.OPEN and investigation.officer == case.colleague


def test_close_keeps_the_spoc_and_lapses_proposals(case: Case) -> None:
    investigation = case.open()
    crime = case.crime([(case.leah, "victim")])
    propose_joins([crime.pk])
    investigation_close(investigation=investigation, reason="Charged, remanded in custody", actor=case.investigator,
                        expected_version=investigation.version)
    assert investigation.status == InvestigationStatus.CLOSED and investigation.closed_by == case.investigator
    assert current_family_spoc(investigation.family) is not None
    assert JoinProposal.objects.get(event=crime).status == ProposalStatus.DECLINED
    with pytest.raises(ValidationError, match="closed"):
        investigation_close(investigation=investigation, reason="Closed again, twice", actor=case.investigator,
                            expected_version=investigation.version)


def test_bail_condition_and_its_expiry(case: Case) -> None:
    investigation = case.open()
    today = timezone.localdate()
    bail = bail_condition_add(investigation=investigation, person=case.dean.person, condition="Not to contact Leah",
                              imposed_on=today - timedelta(days=3), expires_on=today + timedelta(days=25),
                              actor=case.investigator)
    assert bail.days_left(today) == 25 and bail.days_left(today + timedelta(days=30)) == -5
    with pytest.raises(ValidationError) as refused:
        bail_condition_add(investigation=investigation, person=case.ruby.person, condition="",
                           imposed_on=date(2026, 5, 2), expires_on=date(2026, 5, 1), actor=case.investigator)
    assert set(refused.value.message_dict) == {"person", "condition", "expires_on"}


def test_family_spoc_reassigned_in_one_transaction(case: Case) -> None:
    investigation = case.open()
    family_spoc_assign(investigation=investigation, spoc=case.officer, reason="Local officer knows the family",
                       actor=case.investigator)
    spocs = list(FamilySpoc.objects.filter(family=investigation.family).order_by("pk"))
    assert [s.spoc for s in spocs] == [case.investigator, case.officer]
    assert spocs[0].ended_at is not None and spocs[1].ended_at is None
    with pytest.raises(ValidationError, match="already"):
        family_spoc_assign(investigation=investigation, spoc=case.officer, reason="Again, the same person",
                           actor=case.investigator)
    with pytest.raises(ValidationError, match="spoc"):
        family_spoc_assign(investigation=investigation, spoc=case.social_worker, reason="Not police staff at all",
                           actor=case.investigator)


def test_the_database_refuses_a_second_current_spoc(case: Case) -> None:
    investigation = case.open()
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilySpoc.objects.create(family=investigation.family, spoc=case.officer, started_at=timezone.now(),
                                  assigned_by=case.officer, reason="Bypassing the service")


def test_borough_spoc(case: Case) -> None:
    hackney = borough(HACKNEY)
    with pytest.raises(PermissionDenied):
        borough_spoc_assign(borough=hackney, spoc=case.officer, reason="Named by the wrong borough",
                            actor=case.lambeth_supervisor)
    borough_spoc_assign(borough=hackney, spoc=case.officer, reason="Partnership lead for Hackney",
                        actor=case.supervisor)
    borough_spoc_assign(borough=hackney, spoc=case.colleague, reason="Dan moved to response", actor=case.investigator)
    assert list(BoroughSpoc.objects.filter(borough=hackney, ended_at__isnull=True).values_list("spoc", flat=True)) \
        == [case.colleague.pk]
    assert BoroughSpoc.objects.filter(borough=hackney).count() == 2


def test_contact_log(case: Case) -> None:
    investigation = case.open()
    entry = contact_log_add(investigation=investigation, channel="phone", summary="Spoke to mum about bail",
                            actor=case.investigator)
    assert entry.family == investigation.family and AuditVerb.SPOC_LOG in verbs()
    with pytest.raises(ValidationError) as refused:
        contact_log_add(investigation=investigation, channel="pigeon", summary=" ", actor=case.investigator,
                        at=timezone.now() + timedelta(hours=1))
    assert set(refused.value.message_dict) == {"channel", "summary", "at"}
    with pytest.raises(PermissionDenied):
        contact_log_add(investigation=investigation, channel="visit", summary="Not mine", actor=case.researcher)
