"""Overlap detection: a new event sharing a victim, a household or a suspect with an open investigation is
proposed once; no overlap, a closed investigation, or an event outside the strands, and nothing is proposed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantern.investigations.models import InvestigationStatus, JoinProposal, Overlap, ProposalStatus, Strand
from lantern.investigations.overlap import propose_joins, strands_of
from lantern.investigations.services import investigation_close

from .conftest import RAILTON, Case


def test_same_victim(case: Case) -> None:
    investigation = case.open()
    # Leah lives elsewhere now: only the person links them.
    elsewhere = case.record(case.met, "Leah", "Morgan", "2011-04-17", RAILTON, person=case.leah.person)
    stranger = case.record(case.met, "Jo", "Bloggs", "1990", {"line1": "1 Mare Street", "postcode": "E8 4RP"})
    crime = case.crime([(elsewhere, "victim"), (stranger, "suspect")], domestic_setting=False)
    # Recording the event proposed it already (event_receive calls propose_joins); never twice.
    assert JoinProposal.objects.filter(event=crime).count() == 1
    assert propose_joins([crime.pk]) == 0
    proposal = JoinProposal.objects.get(event=crime)
    assert proposal.investigation == investigation
    assert proposal.overlaps[0] == Overlap.SAME_VICTIM
    assert {"person": case.leah.person_id, "overlap": Overlap.SAME_VICTIM, "here": "victim", "there": "child"} \
        in proposal.shared


def test_same_suspect(case: Case) -> None:
    investigation = case.open()
    victim = case.record(case.met, "Mia", "Jones", "2010", {"line1": "9 Mare Street", "postcode": "E8 4RP"})
    crime = case.crime([(victim, "victim"), (case.dean, "suspect")], domestic_setting=False, child_abuse=True)
    propose_joins([crime.pk])
    proposal = JoinProposal.objects.get(event=crime, investigation=investigation)
    # Dean also lives at the family's address: for one person the strongest overlap is the one given.
    assert proposal.overlaps == [Overlap.SAME_SUSPECT]
    assert proposal.shared == [{"person": case.dean.person_id, "overlap": Overlap.SAME_SUSPECT, "here": "suspect",
                                "there": "suspect"}]


def test_same_household(case: Case) -> None:
    investigation = case.open()
    mother = case.record(case.met, "Dawn", "Morgan", "1985", {"line1": "14 Clapton Square", "postcode": "E5 8HP",
                                                             "uprn": "100021012345"})
    stranger = case.record(case.met, "Jo", "Bloggs", "1990", {"line1": "1 Mare Street", "postcode": "E8 4RP"})
    crime = case.crime([(mother, "victim"), (stranger, "suspect")])
    propose_joins([crime.pk])
    proposal = JoinProposal.objects.get(event=crime)
    assert (proposal.investigation, proposal.overlaps) == (investigation, [Overlap.SAME_HOUSEHOLD])


def test_no_overlap_no_proposal(case: Case) -> None:
    case.open()
    stranger = case.record(case.met, "Jo", "Bloggs", "1990", {"line1": "1 Mare Street", "postcode": "E8 4RP"})
    crime = case.crime([(case.ruby, "victim"), (stranger, "suspect")])
    assert propose_joins([crime.pk]) == 0
    assert not JoinProposal.objects.exists()


def test_closed_investigation_no_proposal(case: Case) -> None:
    investigation = case.open()
    investigation_close(investigation=investigation, reason="Charged and bailed to court", actor=case.investigator,
                        expected_version=investigation.version)
    crime = case.crime([(case.leah, "victim"), (case.dean, "suspect")])
    assert propose_joins([crime.pk]) == 0


def test_event_outside_the_strands_is_never_proposed(case: Case) -> None:
    case.open()
    theft = case.crime([(case.leah, "victim")], category="theft", domestic_setting=False)
    school = case.event("school_concern", [(case.kayden, "subject")], category="attendance")
    assert propose_joins([theft.pk, school.pk]) == 0


def test_proposed_once_even_after_it_is_declined(case: Case) -> None:
    case.open()
    crime = case.crime([(case.leah, "victim"), (case.dean, "suspect")])
    assert JoinProposal.objects.filter(event=crime).count() == 1
    assert propose_joins([crime.pk]) == 0
    JoinProposal.objects.update(status=ProposalStatus.DECLINED)
    assert propose_joins([crime.pk]) == 0
    assert JoinProposal.objects.count() == 1


def test_an_event_already_in_an_open_investigation_is_not_proposed_again(case: Case) -> None:
    case.open()
    other = case.crime([(case.ruby, "victim")], child_abuse=True)
    case.open(event=other, title="Ruby", strands=[Strand.CHILD_ABUSE])
    assert propose_joins([case.da.pk]) == 0


def test_a_constant_number_of_queries_per_batch(case: Case) -> None:
    case.open()
    one = [case.crime([(case.leah, "victim"), (case.dean, "suspect")]).pk]
    JoinProposal.objects.all().delete()  # proposed as they arrived: measure proposing them afresh
    with CaptureQueriesContext(connection) as single:
        propose_joins(one)
    many = [case.crime([(case.record(case.met, "A", f"B{n}", "2010", {"line1": f"{n} Mare Street",
                                                                     "postcode": "E8 4RP"}), "victim"),
                        (case.dean, "suspect")]).pk for n in range(20)]
    JoinProposal.objects.filter(event_id__in=many).delete()
    with CaptureQueriesContext(connection) as batch:
        assert propose_joins(many) == 20
    assert len(batch.captured_queries) == len(single.captured_queries)


@pytest.mark.parametrize(("event_type", "attributes", "strands"), [
    ("crime", {"category": "rape", "domestic_setting": True}, {Strand.SEXUAL_OFFENCES, Strand.DOMESTIC_ABUSE}),
    ("crime", {"category": "violence_against_the_person", "child_abuse": True}, {Strand.CHILD_ABUSE}),
    ("crime", {"category": "burglary"}, set()),
    ("domestic_abuse_incident", {"children_present": False}, {Strand.DOMESTIC_ABUSE}),
    ("child_protection_plan", {"category": "sexual"}, {Strand.CHILD_ABUSE, Strand.SEXUAL_OFFENCES}),
    ("child_death", {"suspicious": False}, set()),
    ("missing_episode", {}, set()),
])
def test_strands_of(event_type: str, attributes: dict, strands: set[str]) -> None:
    assert strands_of(event_type, attributes) == strands


def test_opening_proposes_the_familys_recent_events(case: Case) -> None:
    earlier = case.crime([(case.leah, "victim"), (case.dean, "suspect")])
    investigation = case.open()
    assert JoinProposal.objects.filter(event=earlier, investigation=investigation,
                                       status=ProposalStatus.PROPOSED).exists()
    assert investigation.status == InvestigationStatus.OPEN
