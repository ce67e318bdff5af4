"""Writes to investigations: open, join or decline proposals, bail conditions, close; SPOCs and the contact log.

A family in an open case always has exactly one SPOC. Opening an investigation for a family
without one names the officer in charge in the same transaction; naming a new SPOC ends the
old one in the same transaction; a partial unique constraint refuses a second current one
whatever the code does. Closing a case leaves the SPOC in place: the family keeps its contact.

Changes to an investigation's own fields name the version they were made from; one made from
an older version is refused with who changed it since (EditConflict).
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lantern.accounts.models import Role, User
from lantern.core.access import checked_reason, works_on_investigation
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.core.versioning import EditConflict, save_from_version  # noqa: F401  (views catch it from here)
from lantern.events.models import Event, EventType, Involvement
from lantern.organisations.models import AgencyKind, Borough
from lantern.people.models import Person, SourceRecord

from .models import (
    BailCondition,
    BoroughSpoc,
    Channel,
    Family,
    FamilyContactLog,
    FamilySpoc,
    Investigation,
    InvestigationEvent,
    InvestigationPerson,
    InvestigationStatus,
    JoinProposal,
    ProposalStatus,
    Strand,
)
from .overlap import investigation_role, propose_for_investigation, propose_joins, strands_of

# Who may be named officer in charge or SPOC, and who may open investigations.
SPOC_ROLES = frozenset({Role.INVESTIGATOR, Role.OFFICER, Role.SUPERVISOR})
OPENING_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})
# The roles whose address says where the family is: the children and victims, before the suspect's.
FAMILY_ROLE_ORDER = ("child_present", "victim", "subject", "missing_person", "parent_carer")
OPENED_FROM = "The event this investigation was opened from"


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _require_works_on(actor: Any, investigation: Investigation) -> None:
    if not works_on_investigation(actor, investigation):
        raise PermissionDenied("Only the officer in charge, the agency's investigators or the borough's MASH "
                               "supervisor can change this investigation")


def _require_open(investigation: Investigation) -> None:
    if investigation.status != InvestigationStatus.OPEN:
        raise ValidationError("This investigation is closed, so it can no longer be changed")


def may_open_investigations(user: Any) -> bool:
    """Return whether the user may open investigations: police investigators and MASH supervisors."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in OPENING_ROLES
                and user.agency_id is not None and user.agency.kind == AgencyKind.POLICE)


def spoc_candidates(agency_id: int, borough_id: int | None) -> list[User]:
    """Return who may be officer in charge or SPOC: the agency's active investigators, officers and supervisors
    in the borough (investigators work London-wide, so all of them)."""
    staff = User.objects.filter(agency_id=agency_id, is_active=True, role__in=SPOC_ROLES)
    if borough_id is not None:
        staff = staff.filter(borough_id=borough_id) | staff.filter(role=Role.INVESTIGATOR)
    return list(staff.order_by("first_name", "last_name", "username"))


def _check_spoc(user: Any, agency_id: int, field: str) -> None:
    if not (getattr(user, "is_active", False) and user.role in SPOC_ROLES and user.agency_id == agency_id):
        raise ValidationError({field: "Choose an active investigator, officer or supervisor of the agency"})


# Families ----------------------------------------------------------------------------------------

def _family_for_event(event: Event, now: datetime) -> Family:
    """Return the household the event is about: the children's and victims' address, else anyone's, else a person."""
    rows = list(Involvement.objects.filter(event=event, source_record__person__isnull=False)
                .values_list("role", "source_record__person_id", "source_record__address_id"))
    if not rows:
        raise ValidationError("No one in this event is known to Lantern as a person yet, so there is no family "
                              "to open an investigation for")

    def rank(row: tuple[str, int, int | None]) -> int:
        return FAMILY_ROLE_ORDER.index(row[0]) if row[0] in FAMILY_ROLE_ORDER else len(FAMILY_ROLE_ORDER)

    rows.sort(key=rank)
    address_id = next((address for _, _, address in rows if address is not None), None)
    if address_id is None:
        # The event's record had no address: another record of the same person may have one.
        address_id = (SourceRecord.objects.filter(person_id=rows[0][1], address_id__isnull=False)
                      .order_by("-received_at").values_list("address_id", flat=True).first())
    if address_id is not None:
        family, _ = Family.objects.get_or_create(address_id=address_id, defaults={"created_at": now,
                                                                                  "borough": event.borough})
        return family
    family, _ = Family.objects.get_or_create(person_id=rows[0][1], defaults={"created_at": now,
                                                                             "borough": event.borough})
    return family


def current_family_spoc(family: Family) -> FamilySpoc | None:
    """Return the family's current SPOC, if it has one."""
    return FamilySpoc.objects.select_related("spoc").filter(family=family, ended_at__isnull=True).first()


def _name_family_spoc(family: Family, spoc: Any, actor: Any, now: datetime, reason: str) -> FamilySpoc:
    # Lock the family so two people naming a SPOC at once cannot both end the same one.
    Family.objects.select_for_update().filter(pk=family.pk).first()
    before = current_family_spoc(family)
    if before is not None:
        FamilySpoc.objects.filter(pk=before.pk).update(ended_at=now)
    named = FamilySpoc.objects.create(family=family, spoc=spoc, started_at=now, assigned_by=actor, reason=reason)
    audit_write(actor=actor, verb=AuditVerb.SPOC_ASSIGN, target=family, reason=reason,
                payload={"family": family.pk, "spoc": spoc.get_username(),
                         "previous": before.spoc.get_username() if before else None})
    return named


# Opening and joining -----------------------------------------------------------------------------

def _link_event(investigation: Investigation, event: Event, actor: Any, now: datetime, reason: str) -> None:
    """Join an event and its people to the investigation (the proposal for the pair, if any, is settled)."""
    InvestigationEvent.objects.create(investigation=investigation, event=event, joined_at=now, joined_by=actor,
                                      reason=reason)
    people = {(person_id, investigation_role(role)) for role, person_id in Involvement.objects.filter(
        event=event, source_record__person__isnull=False).values_list("role", "source_record__person_id")}
    InvestigationPerson.objects.bulk_create(
        [InvestigationPerson(investigation=investigation, person_id=person_id, role=role, added_at=now)
         for person_id, role in sorted(people)], ignore_conflicts=True)
    JoinProposal.objects.filter(event=event, investigation=investigation, status=ProposalStatus.PROPOSED).update(
        status=ProposalStatus.JOINED, decided_by=actor, decided_at=now, reason=reason)


def _widen_strands(investigation: Investigation, event: Event, actor: Any, now: datetime) -> None:
    """Add the joined event's strands (a rape joined to a domestic abuse case makes it a sexual offences case too)."""
    wanted = set(investigation.strands) | strands_of(event.type, event.attributes)
    if wanted == set(investigation.strands):
        return
    strands = sorted(wanted, key=Strand.values.index)
    # A real change to the case: it moves the version on, so an edit made from the old one is refused.
    Investigation.objects.filter(pk=investigation.pk).update(strands=strands, version=F("version") + 1,
                                                              updated_at=now, updated_by=actor)
    investigation.refresh_from_db()


def suggested_title(event: Event) -> str:
    """Return a title for an investigation opened from this event, for the user to change."""
    offence = event.attributes.get("offence") or event.attributes.get("category", "")
    what = str(offence).replace("_", " ") if event.type == EventType.CRIME and offence else event.get_type_display()
    place = event.borough.name if event.borough_id and event.borough else ""
    when = timezone.localtime(event.occurred_at).strftime("%d %B %Y")
    return ", ".join(part for part in (f"{what[:1].upper()}{what[1:]}", place, when) if part)


@transaction.atomic
def investigation_open(*, event: Event, title: str, strands: list[str], officer: Any, actor: Any,
                       separate_reason: str = "", now: datetime | None = None) -> Investigation:
    """Open an investigation from an event, for its family; name the officer in charge as SPOC if it has none.

    If the event overlaps an open investigation, joining it is the default: a separate one needs a reason,
    recorded on each proposal it declines.
    """
    if not may_open_investigations(actor):
        raise PermissionDenied("Only police investigators and MASH supervisors can open investigations")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "Enter a title for the investigation"
    if not strands or set(strands) - set(Strand.values):
        errors["strands"] = "Select at least one strand: domestic abuse, sexual offences or child abuse"
    if not strands_of(event.type, event.attributes):
        errors["event"] = (f"A {event.get_type_display().lower()} like this one is not domestic abuse, a sexual "
                           "offence or child abuse, so it cannot start an investigation")
    if errors:
        raise ValidationError(errors)
    _check_spoc(officer, actor.agency_id, "officer")
    already = InvestigationEvent.objects.filter(event=event, investigation__status=InvestigationStatus.OPEN) \
        .select_related("investigation").first()
    if already is not None:
        raise ValidationError(f"This event is already in open investigation {already.investigation.reference}")
    # Look for overlaps now, so an event the importer has not yet checked is still proposed, not duplicated.
    propose_joins([event.pk], now=now, actor=actor)
    pending = list(JoinProposal.objects.filter(event=event, status=ProposalStatus.PROPOSED,
                                               investigation__status=InvestigationStatus.OPEN)
                   .select_related("investigation"))
    if pending:
        overlapping = ", ".join(p.investigation.reference for p in pending)
        separate_reason = checked_reason(
            separate_reason, "separate_reason",
            f"This event overlaps open investigation {overlapping}: join it there, or give a reason for a separate "
            "investigation. Your reason")
    family = _family_for_event(event, now)
    borough = event.borough or family.borough or actor.borough
    if borough is None:
        raise ValidationError("The event has no borough, so the investigation cannot be placed: ask the recording "
                              "agency to correct it")
    investigation = Investigation.objects.create(
        title=title, strands=sorted(set(strands), key=Strand.values.index), borough=borough, agency=actor.agency,
        officer=officer, family=family, opened_at=now, opened_by=actor, updated_at=now, updated_by=actor)
    for proposal in pending:
        JoinProposal.objects.filter(pk=proposal.pk).update(
            status=ProposalStatus.DECLINED, decided_by=actor, decided_at=now,
            reason=f"Separate investigation {investigation.reference} opened: {separate_reason}")
    _link_event(investigation, event, actor, now, OPENED_FROM)
    # A family in an open case always has a SPOC: the officer in charge, until someone else is named.
    if current_family_spoc(family) is None:
        _name_family_spoc(family, officer, actor, now, f"Officer in charge of investigation {investigation.reference}")
    audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_CREATE, target=investigation, reason=separate_reason,
                payload={"event": event.pk, "strands": investigation.strands, "officer": officer.get_username(),
                         "family": family.pk, "declined": [p.investigation.reference for p in pending]})
    # The family's other recent events are proposed too, for the officer to join or decline.
    propose_for_investigation(investigation, now=now, actor=actor)
    return investigation


def _locked_proposal(proposal: JoinProposal) -> JoinProposal:
    locked = JoinProposal.objects.select_for_update(of=("self",)).select_related(
        "investigation", "event", "decided_by").get(pk=proposal.pk)
    if locked.status != ProposalStatus.PROPOSED:
        who = _name(locked.decided_by) if locked.decided_by else "Someone"
        when = timezone.localtime(locked.decided_at).strftime("%H:%M on %d %B %Y") if locked.decided_at else ""
        raise ValidationError(f"{who} already decided this proposal ({locked.get_status_display().lower()}) at {when}")
    return locked


@transaction.atomic
def proposal_join(*, proposal: JoinProposal, reason: str, actor: Any, now: datetime | None = None) -> Investigation:
    """Join the proposed event to its investigation, with the reason; its other proposals are declined."""
    proposal = _locked_proposal(proposal)
    investigation = proposal.investigation
    _require_works_on(actor, investigation)
    _require_open(investigation)
    reason = checked_reason(reason, "reason", "Your reason for joining")
    now = now or timezone.now()
    _link_event(investigation, proposal.event, actor, now, reason)
    _widen_strands(investigation, proposal.event, actor, now)
    # One investigation per family: the event's proposals to other investigations fall away.
    JoinProposal.objects.filter(event=proposal.event, status=ProposalStatus.PROPOSED).update(
        status=ProposalStatus.DECLINED, decided_by=actor, decided_at=now,
        reason=f"Joined to investigation {investigation.reference} instead")
    audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_JOIN, target=investigation, reason=reason,
                payload={"event": proposal.event_id, "overlaps": proposal.overlaps, "proposal": proposal.pk})
    return investigation


@transaction.atomic
def proposal_decline(*, proposal: JoinProposal, reason: str, actor: Any, start_separate: bool = False,
                     now: datetime | None = None) -> Investigation | None:
    """Decline a proposal with the reason; with `start_separate`, open a separate investigation from the event."""
    proposal = _locked_proposal(proposal)
    _require_works_on(actor, proposal.investigation)
    reason = checked_reason(reason, "reason", "Your reason")
    now = now or timezone.now()
    if start_separate:
        event = proposal.event
        return investigation_open(event=event, title=suggested_title(event),
                                  strands=sorted(strands_of(event.type, event.attributes)),
                                  officer=actor if actor.role in SPOC_ROLES else proposal.investigation.officer,
                                  actor=actor, separate_reason=reason, now=now)
    JoinProposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.DECLINED, decided_by=actor,
                                                       decided_at=now, reason=reason)
    audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_UPDATE, target=proposal.investigation, reason=reason,
                payload={"declined_event": proposal.event_id, "proposal": proposal.pk})
    return None


@transaction.atomic
def event_join(*, investigation: Investigation, event: Event, reason: str, actor: Any,
               now: datetime | None = None) -> Investigation:
    """Join an event to an investigation without a proposal (the officer found it), with the reason."""
    _require_works_on(actor, investigation)
    _require_open(investigation)
    if not strands_of(event.type, event.attributes):
        raise ValidationError({"event": "Only domestic abuse, sexual offences and child abuse events can be joined"})
    if InvestigationEvent.objects.filter(investigation=investigation, event=event).exists():
        raise ValidationError({"event": "This event is already in the investigation"})
    reason = checked_reason(reason, "reason", "Your reason for joining")
    now = now or timezone.now()
    _link_event(investigation, event, actor, now, reason)
    _widen_strands(investigation, event, actor, now)
    audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_JOIN, target=investigation, reason=reason,
                payload={"event": event.pk, "overlaps": []})
    return investigation


# Changing and closing ------------------------------------------------------------------------------

@transaction.atomic
def investigation_update(*, investigation: Investigation, title: str, strands: list[str], officer: Any, actor: Any,
                         expected_version: int, now: datetime | None = None) -> Investigation:
    """Change an investigation's title, strands or officer in charge."""
    _require_works_on(actor, investigation)
    _require_open(investigation)
    if not title.strip():
        raise ValidationError({"title": "Enter a title for the investigation"})
    if not strands or set(strands) - set(Strand.values):
        raise ValidationError({"strands": "Select at least one strand"})
    _check_spoc(officer, investigation.agency_id, "officer")
    changes = {"title": title.strip(), "strands": sorted(set(strands), key=Strand.values.index), "officer": officer}
    changed = sorted(name for name, value in changes.items() if getattr(investigation, name) != value)
    if not changed:
        return investigation
    now = now or timezone.now()
    save_from_version(investigation, expected_version, actor, now, **changes)
    audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_UPDATE, target=investigation,
                payload={"fields": changed, "officer": officer.get_username()})
    return investigation


@transaction.atomic
def investigation_close(*, investigation: Investigation, reason: str, actor: Any, expected_version: int,
                        now: datetime | None = None) -> Investigation:
    """Close an investigation with the reason; the family keeps its SPOC, and its open proposals lapse."""
    _require_works_on(actor, investigation)
    _require_open(investigation)
    reason = checked_reason(reason, "reason", "Your reason for closing")
    now = now or timezone.now()
    save_from_version(investigation, expected_version, actor, now, status=InvestigationStatus.CLOSED,
                       closed_at=now, closed_by=actor, close_reason=reason)
    JoinProposal.objects.filter(investigation=investigation, status=ProposalStatus.PROPOSED).update(
        status=ProposalStatus.DECLINED, decided_by=actor, decided_at=now,
        reason=f"Investigation {investigation.reference} closed")
    audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_UPDATE, target=investigation, reason=reason,
                payload={"status": InvestigationStatus.CLOSED})
    return investigation


@transaction.atomic
def bail_condition_add(*, investigation: Investigation, person: Person, condition: str, imposed_on: date,
                       expires_on: date, actor: Any, now: datetime | None = None) -> BailCondition:
    """Record a condition of someone's bail in the investigation, with when it expires."""
    _require_works_on(actor, investigation)
    _require_open(investigation)
    errors: dict[str, str] = {}
    if not InvestigationPerson.objects.filter(investigation=investigation, person=person).exists():
        errors["person"] = "Choose someone in this investigation"
    if not condition.strip():
        errors["condition"] = "Enter the condition, as the custody record or court gives it"
    if expires_on < imposed_on:
        errors["expires_on"] = "The expiry date must be on or after the date it was imposed"
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    bail = BailCondition.objects.create(investigation=investigation, person=person, condition=condition.strip(),
                                        imposed_on=imposed_on, expires_on=expires_on, recorded_by=actor,
                                        recorded_at=now)
    audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_UPDATE, target=investigation,
                payload={"bail_condition": bail.pk, "person": person.reference, "expires_on": expires_on})
    return bail


# SPOCs and the contact log ------------------------------------------------------------------------

@transaction.atomic
def family_spoc_assign(*, investigation: Investigation, spoc: Any, reason: str, actor: Any,
                       now: datetime | None = None) -> FamilySpoc:
    """Name a new SPOC for the investigation's family; the current one's period ends now."""
    _require_works_on(actor, investigation)
    _check_spoc(spoc, investigation.agency_id, "spoc")
    reason = checked_reason(reason, "reason", "Your reason")
    current = current_family_spoc(investigation.family)
    if current is not None and current.spoc_id == spoc.pk:
        raise ValidationError({"spoc": f"{_name(spoc)} is already the family's single point of contact"})
    return _name_family_spoc(investigation.family, spoc, actor, now or timezone.now(), reason)


def may_name_borough_spoc(user: Any, borough: Borough) -> bool:
    """Return whether the user may name the borough's SPOC: its MASH supervisor, or a police investigator there."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.borough_id == borough.pk
                and user.role in {Role.SUPERVISOR, Role.INVESTIGATOR}
                and user.agency_id is not None and user.agency.kind == AgencyKind.POLICE)


def current_borough_spoc(borough_id: int) -> BoroughSpoc | None:
    """Return the borough's current SPOC, if it has one."""
    return BoroughSpoc.objects.select_related("spoc").filter(borough_id=borough_id, ended_at__isnull=True).first()


@transaction.atomic
def borough_spoc_assign(*, borough: Borough, spoc: Any, reason: str, actor: Any,
                        now: datetime | None = None) -> BoroughSpoc:
    """Name the borough's (local authority's) SPOC; the current one's period ends now."""
    if not may_name_borough_spoc(actor, borough):
        raise PermissionDenied("Only the borough's MASH supervisor or a police investigator there can name its SPOC")
    _check_spoc(spoc, actor.agency_id, "spoc")
    reason = checked_reason(reason, "reason", "Your reason")
    now = now or timezone.now()
    Borough.objects.select_for_update().filter(pk=borough.pk).first()
    before = current_borough_spoc(borough.pk)
    if before is not None and before.spoc_id == spoc.pk:
        raise ValidationError({"spoc": f"{_name(spoc)} is already {borough.name}'s single point of contact"})
    if before is not None:
        BoroughSpoc.objects.filter(pk=before.pk).update(ended_at=now)
    named = BoroughSpoc.objects.create(borough=borough, spoc=spoc, started_at=now, assigned_by=actor, reason=reason)
    audit_write(actor=actor, verb=AuditVerb.SPOC_ASSIGN, target=borough, reason=reason,
                payload={"borough": borough.ons_code, "spoc": spoc.get_username(),
                         "previous": before.spoc.get_username() if before else None})
    return named


@transaction.atomic
def contact_log_add(*, investigation: Investigation, channel: str, summary: str, actor: Any,
                    at: datetime | None = None, now: datetime | None = None) -> FamilyContactLog:
    """Write one contact with the family in its log (from one of its investigations)."""
    _require_works_on(actor, investigation)
    now = now or timezone.now()
    at = at or now
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = "Select how you were in contact"
    if not summary.strip():
        errors["summary"] = "Enter what was said or done"
    if at > now:
        errors["at"] = "The contact must already have happened"
    if errors:
        raise ValidationError(errors)
    entry = FamilyContactLog.objects.create(family=investigation.family, at=at, by=actor, channel=channel,
                                            summary=summary.strip(), investigation=investigation)
    audit_write(actor=actor, verb=AuditVerb.SPOC_LOG, target=investigation.family,
                payload={"investigation": investigation.reference, "channel": channel, "entry": entry.pk})
    return entry


