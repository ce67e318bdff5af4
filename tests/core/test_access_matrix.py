"""The access matrix: every role × own/other agency × own/other borough × restricted or not.

The expectations are written out by hand, not computed from ROLE_SCOPES, so a change to
the policy that nobody meant shows up here as a failure.
"""

import itertools

import pytest
from django.http import Http404

from lantern.accounts.models import Role
from lantern.core.access import ReasonRequired, access_person_by_reference, visible_persons
from lantern.core.models import AuditEntry, AuditVerb
from lantern.organisations.models import AgencyKind
from lantern.sharing.models import LegalBasis
from lantern.sharing.services import record_share
from tests.factories import AgencyFactory, SourceRecordFactory, UserFactory, borough

HACKNEY, LAMBETH = "E09000012", "E09000022"
REASON = "Strategy discussion tomorrow about this child"

SEE, NEEDS_REASON, HIDDEN = "see", "needs reason", "hidden"

# (role) -> set of (agency, borough) the role sees; restricted ones then need a reason,
# except where the role never sees restricted records.
VISIBLE = {
    Role.RESEARCHER: {("own", "own"), ("other", "own")},
    Role.SUPERVISOR: {("own", "own"), ("other", "own")},
    Role.INVESTIGATOR: {("own", "own"), ("own", "other")},
    Role.OFFICER: {("own", "own")},
    Role.SOCIAL_WORKER: {("own", "own")},
    Role.PARTNER: {("own", "own")},
    Role.SCRUTINY: {("own", "own"), ("own", "other"), ("other", "own"), ("other", "other")},
    Role.ADMIN: set(),
}
NEVER_RESTRICTED = {Role.SCRUTINY}

CASES = [
    (role, agency, area, restricted)
    for role, agency, area, restricted in itertools.product(
        Role.values, ("own", "other"), ("own", "other"), (False, True)
    )
]


def expected(role: str, agency: str, area: str, restricted: bool) -> str:
    if (agency, area) not in VISIBLE[Role(role)]:
        return HIDDEN
    if restricted:
        return HIDDEN if role in NEVER_RESTRICTED else NEEDS_REASON
    return SEE


@pytest.fixture
def world(db):
    own = AgencyFactory(code="met", kind=AgencyKind.POLICE)
    other = AgencyFactory(code="hackney-csc", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    return {"agency": {"own": own, "other": other},
            "borough": {"own": borough(HACKNEY), "other": borough(LAMBETH)}}


def outcome(user, reference: str) -> str:
    try:
        access_person_by_reference(user, reference)
    except Http404:
        return HIDDEN
    except ReasonRequired:
        access = access_person_by_reference(user, reference, reason=REASON)
        assert access.reason == REASON
        return NEEDS_REASON
    return SEE


@pytest.mark.parametrize(("role", "agency", "area", "restricted"), CASES)
def test_access_matrix(world, role, agency, area, restricted):
    user = UserFactory(role=role, agency=world["agency"]["own"], borough=world["borough"]["own"])
    record = SourceRecordFactory(
        agency=world["agency"][agency], borough=world["borough"][area], restricted=restricted
    )

    assert outcome(user, record.person.reference) == expected(role, agency, area, restricted)
    listed = visible_persons(user).filter(pk=record.person.pk).exists()
    assert listed == (expected(role, agency, area, restricted) != HIDDEN)


def test_the_matrix_covers_every_role_and_both_outcomes():
    outcomes = {expected(*case) for case in CASES}
    assert len(CASES) == len(Role.values) * 8
    assert outcomes == {SEE, NEEDS_REASON, HIDDEN}


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SOCIAL_WORKER, Role.PARTNER, Role.INVESTIGATOR])
def test_a_record_shared_with_the_users_agency_becomes_visible(world, role):
    user = UserFactory(role=role, agency=world["agency"]["own"], borough=world["borough"]["own"])
    owner = UserFactory(role=Role.SOCIAL_WORKER, agency=world["agency"]["other"])
    record = SourceRecordFactory(agency=world["agency"]["other"], borough=world["borough"]["own"])
    assert outcome(user, record.person.reference) == HIDDEN

    record_share(target=record, agency=world["agency"]["own"], legal_basis=LegalBasis.CHILDREN_ACT_S47,
                 reason="Section 47 enquiry", actor=owner)

    assert outcome(user, record.person.reference) == SEE
    access = access_person_by_reference(user, record.person.reference)
    share = access.shares[record.pk]
    assert (share.shared_by, share.legal_basis) == (owner, LegalBasis.CHILDREN_ACT_S47)


def test_only_the_holding_agency_can_share_a_record(world):
    record = SourceRecordFactory(agency=world["agency"]["other"])
    outsider = UserFactory(role=Role.OFFICER, agency=world["agency"]["own"])
    with pytest.raises(Exception, match="Only the agency that holds"):
        record_share(target=record, agency=world["agency"]["own"], legal_basis=LegalBasis.CONSENT,
                     reason="Wanted", actor=outsider)


def test_hidden_and_missing_people_look_the_same(world):
    user = UserFactory(role=Role.OFFICER, agency=world["agency"]["own"], borough=world["borough"]["own"])
    hidden = SourceRecordFactory(agency=world["agency"]["other"], borough=world["borough"]["own"])
    with pytest.raises(Http404) as hidden_error:
        access_person_by_reference(user, hidden.person.reference)
    with pytest.raises(Http404) as missing_error:
        access_person_by_reference(user, "AAAA-AAAA")
    assert str(hidden_error.value) == str(missing_error.value)


def test_a_short_reason_does_not_open_restricted_records(world):
    user = UserFactory(role=Role.RESEARCHER, agency=world["agency"]["own"], borough=world["borough"]["own"])
    record = SourceRecordFactory(agency=world["agency"]["own"], restricted=True)
    with pytest.raises(ReasonRequired):
        access_person_by_reference(user, record.person.reference, reason="   because ")


def test_every_person_view_is_audited_with_its_reason(world):
    user = UserFactory(role=Role.RESEARCHER, agency=world["agency"]["own"], borough=world["borough"]["own"])
    record = SourceRecordFactory(agency=world["agency"]["own"], restricted=True)

    access_person_by_reference(user, record.person.reference, reason=REASON)

    entry = AuditEntry.objects.filter(verb=AuditVerb.PERSON_VIEW).get()
    assert (entry.actor, entry.target_id, entry.reason) == (user, record.person.reference, REASON)


def test_refused_views_leave_no_view_entry(world):
    user = UserFactory(role=Role.ADMIN, agency=world["agency"]["own"])
    record = SourceRecordFactory(agency=world["agency"]["own"])
    with pytest.raises(Http404):
        access_person_by_reference(user, record.person.reference)
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSON_VIEW).exists()


def test_inactive_users_see_nothing(world):
    user = UserFactory(role=Role.RESEARCHER, agency=world["agency"]["own"],
                       borough=world["borough"]["own"], is_active=False)
    record = SourceRecordFactory(agency=world["agency"]["own"])
    with pytest.raises(Http404):
        access_person_by_reference(user, record.person.reference)


def test_borough_scoped_user_without_a_borough_sees_nothing(world):
    user = UserFactory(role=Role.RESEARCHER, agency=world["agency"]["own"], borough=None)
    record = SourceRecordFactory(agency=world["agency"]["own"])
    with pytest.raises(Http404):
        access_person_by_reference(user, record.person.reference)


def test_merged_person_reference_still_resolves(world):
    user = UserFactory(role=Role.RESEARCHER, agency=world["agency"]["own"], borough=world["borough"]["own"])
    survivor = SourceRecordFactory(agency=world["agency"]["own"]).person
    old = SourceRecordFactory(agency=world["agency"]["own"]).person
    old.source_records.update(person=survivor)
    old.merged_into = survivor
    old.save()
    access = access_person_by_reference(user, old.reference)
    assert access.person == survivor
    assert len(access.records) == 2


def test_events_go_through_the_same_checkpoint(world):
    from lantern.core.access import access_event_by_id
    from tests.factories import EventFactory

    user = UserFactory(role=Role.OFFICER, agency=world["agency"]["own"], borough=world["borough"]["own"])
    mine = EventFactory(agency=world["agency"]["own"], borough=world["borough"]["own"])
    theirs = EventFactory(agency=world["agency"]["other"], borough=world["borough"]["own"])
    secret = EventFactory(agency=world["agency"]["own"], borough=world["borough"]["own"], restricted=True)

    assert access_event_by_id(user, mine.pk) == mine
    with pytest.raises(Http404):
        access_event_by_id(user, theirs.pk)
    with pytest.raises(ReasonRequired):
        access_event_by_id(user, secret.pk)
    assert access_event_by_id(user, secret.pk, reason=REASON) == secret
    assert AuditEntry.objects.filter(verb=AuditVerb.EVENT_VIEW).count() == 2


def test_a_restricted_event_alone_asks_for_a_reason(world):
    from tests.factories import EventFactory, InvolvementFactory

    user = UserFactory(role=Role.RESEARCHER, agency=world["agency"]["own"], borough=world["borough"]["own"])
    record = SourceRecordFactory(agency=world["agency"]["own"])
    secret = EventFactory(agency=world["agency"]["own"], restricted=True)
    InvolvementFactory(source_record=record, event=secret)
    with pytest.raises(ReasonRequired):
        access_person_by_reference(user, record.person.reference)
    assert len(access_person_by_reference(user, record.person.reference, reason=REASON).events) == 1


def test_scrutiny_gets_records_without_identifying_fields_from_the_checkpoint(world):
    from tests.factories import EventFactory, InvolvementFactory

    panel = UserFactory(role=Role.SCRUTINY, agency=None, borough=None)
    record = SourceRecordFactory(agency=world["agency"]["own"], given_names="Leah", nhs_number="9434765919",
                                 postcode="E5 8HP", dob_year=2011, aliases=["Lea"])
    InvolvementFactory(source_record=record, event=EventFactory(
        agency=world["agency"]["own"], narrative="Leah said...",
        type="school_concern", attributes={"category": "disclosure", "details": "Leah told her teacher"}))

    access = access_person_by_reference(panel, record.person.reference)

    seen = access.records[0]
    assert (seen.given_names, seen.nhs_number, seen.postcode, seen.dob_year, seen.aliases) == \
        ("", "", "", None, [])
    assert access.events[0].narrative == ""
    assert access.events[0].attributes == {"category": "disclosure"}
    with pytest.raises(RuntimeError):
        seen.save()
    record.refresh_from_db()
    assert record.given_names == "Leah"


def test_nobody_shares_a_record_they_cannot_see(world):
    # Same agency, other borough: the officer cannot see it, so cannot share it either.
    officer = UserFactory(role=Role.OFFICER, agency=world["agency"]["own"], borough=world["borough"]["own"])
    record = SourceRecordFactory(agency=world["agency"]["own"], borough=world["borough"]["other"])
    with pytest.raises(Exception, match="only records you can see"):
        record_share(target=record, agency=world["agency"]["other"], legal_basis=LegalBasis.CONSENT,
                     reason="Asked", actor=officer)


def test_scrutiny_gets_a_single_event_without_free_text(world):
    from lantern.core.access import access_event_by_id
    from tests.factories import EventFactory

    panel = UserFactory(role=Role.SCRUTINY, agency=None, borough=None)
    event = EventFactory(agency=world["agency"]["own"], narrative="Leah said...",
                         attributes={"category": "disclosure", "details": "Leah told her teacher"})
    seen = access_event_by_id(panel, event.pk)
    assert (seen.narrative, seen.attributes) == ("", {"category": "disclosure"})
