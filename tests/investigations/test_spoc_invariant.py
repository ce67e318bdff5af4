"""The SPOC invariant: every family in an open case has exactly one current SPOC, and every borough at most one,
after any sequence of opening, joining, declining, reassigning and closing."""

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q

from lantern.investigations.models import BoroughSpoc, Family, Investigation, JoinProposal, ProposalStatus, Strand
from lantern.investigations.overlap import propose_joins
from lantern.investigations.services import (
    EditConflict,
    borough_spoc_assign,
    family_spoc_assign,
    investigation_close,
    proposal_decline,
    proposal_join,
)
from tests.factories import borough

from .conftest import HACKNEY, Case


def assert_invariant() -> None:
    families = Family.objects.filter(investigations__status="open").distinct().annotate(
        current=Count("spocs", filter=Q(spocs__ended_at__isnull=True), distinct=True))
    wrong = {family.pk: family.current for family in families if family.current != 1}
    assert not wrong, f"families in an open case without exactly one SPOC: {wrong}"
    boroughs = BoroughSpoc.objects.filter(ended_at__isnull=True).values("borough").annotate(n=Count("pk"))
    assert all(row["n"] == 1 for row in boroughs)


def test_the_invariant_through_open_join_reassign_close(case: Case) -> None:
    first = case.open()
    assert_invariant()
    crime = case.crime([(case.leah, "victim"), (case.dean, "suspect")])
    propose_joins([crime.pk])
    proposal_join(proposal=JoinProposal.objects.get(event=crime), reason="Same victim, same suspect",
                  actor=case.investigator)
    assert_invariant()
    family_spoc_assign(investigation=first, spoc=case.officer, reason="Local officer knows them", actor=case.supervisor)
    assert_invariant()
    ruby = case.crime([(case.ruby, "victim")], child_abuse=True)
    second = case.open(event=ruby, title="Ruby", strands=[Strand.CHILD_ABUSE], actor=case.colleague,
                       officer=case.colleague)
    assert second.family != first.family
    assert_invariant()
    first.refresh_from_db()  # joining the rape made it a sexual offences case too, a new version
    investigation_close(investigation=first, reason="Charged and remanded", actor=case.investigator,
                        expected_version=first.version)
    assert_invariant()
    # The closed family's SPOC stays in place: the family keeps its contact.
    assert first.family.spocs.filter(ended_at__isnull=True).get().spoc == case.officer


@pytest.mark.parametrize("seed", range(6))
def test_the_invariant_holds_after_random_operations(case: Case, seed: int) -> None:
    rng = random.Random(seed)
    people = [case.leah, case.kayden, case.dean, case.ruby]
    staff = [case.investigator, case.colleague, case.supervisor, case.officer]
    deciders = [case.investigator, case.colleague, case.supervisor]
    for step in range(25):
        operation = rng.choice(["crime", "open", "join", "decline", "separate", "reassign", "close", "borough"])
        try:
            if operation == "crime":
                victim, suspect = rng.sample(people, 2)
                propose_joins([case.crime([(victim, "victim"), (suspect, "suspect")]).pk])
            elif operation == "open":
                event = case.crime([(rng.choice(people), "victim")], child_abuse=True)
                case.open(event=event, title=f"Step {step}", actor=rng.choice(deciders),
                          officer=rng.choice(staff), separate_reason="A separate team leads this one")
            elif operation in {"join", "decline", "separate"}:
                waiting = list(JoinProposal.objects.filter(status=ProposalStatus.PROPOSED))
                if waiting:
                    proposal, actor = rng.choice(waiting), rng.choice(deciders)
                    if operation == "join":
                        proposal_join(proposal=proposal, reason="Same family, one case", actor=actor)
                    else:
                        proposal_decline(proposal=proposal, reason="Unrelated to this case", actor=actor,
                                         start_separate=operation == "separate")
            elif operation == "reassign":
                cases = list(Investigation.objects.all())
                if cases:
                    family_spoc_assign(investigation=rng.choice(cases), spoc=rng.choice(staff),
                                       reason="Handed over to a colleague", actor=case.supervisor)
            elif operation == "close":
                cases = list(Investigation.objects.filter(status="open"))
                if cases:
                    chosen = rng.choice(cases)
                    investigation_close(investigation=chosen, reason="No further action taken",
                                        actor=case.supervisor, expected_version=chosen.version)
            else:
                borough_spoc_assign(borough=borough(HACKNEY), spoc=rng.choice(staff),
                                    reason="New partnership lead", actor=case.supervisor)
        except (ValidationError, PermissionDenied, EditConflict):
            pass  # a refused operation must leave the invariant as it was, too
        assert_invariant()
