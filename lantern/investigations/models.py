"""Joined-up investigations, and the single point of contact (SPOC) for each family and borough.

An `Investigation` groups the events (offences, incidents, plans) and people of one family's
case, so domestic abuse, sexual offences and child abuse that overlap are worked as one. A
new event that shares a victim, a suspect or a household with an open investigation becomes a
`JoinProposal`, decided by a person with a recorded reason.

A `Family` is the household at one address (people whose records give that address), or one
person when no address is known. Each family in an open case has exactly one current
`FamilySpoc`; each borough at most one current `BoroughSpoc`. A SPOC is never edited: a new
one ends the old one, so the history of who was the contact stays.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.core.constraints import one_of
from lantern.core.references import new_reference


class Strand(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SEXUAL_OFFENCES = "sexual_offences", "Sexual offences"
    CHILD_ABUSE = "child_abuse", "Child abuse"


class InvestigationStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Family(models.Model):
    """A household: everyone whose records give one address; or one person with no known address."""

    address = models.OneToOneField("people.Address", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="family")
    person = models.OneToOneField("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="own_family", help_text="Only when no address is known")
    borough = models.ForeignKey("organisations.Borough", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="families")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "families"
        constraints = [
            models.CheckConstraint(condition=Q(address__isnull=False) | Q(person__isnull=False),
                                   name="family_has_address_or_person"),
        ]

    def __str__(self) -> str:
        return f"Household at {self.address}" if self.address_id else f"Family of person {self.person}"


class Investigation(models.Model):
    """One family's case: the overlapping offences and incidents, worked as one investigation."""

    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    title = models.CharField(max_length=200)
    strands = models.JSONField(default=list, help_text="Strand values: several may apply")
    status = models.CharField(max_length=10, choices=InvestigationStatus.choices, default=InvestigationStatus.OPEN)
    borough = models.ForeignKey("organisations.Borough", on_delete=models.PROTECT, related_name="investigations")
    agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT, related_name="investigations",
                               help_text="The owning agency (the police)")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="investigations_led",
                                help_text="The officer in charge")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="investigations")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    close_reason = models.TextField(blank=True)
    # Optimistic locking: every change names the version it was made from (see investigation_update).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=one_of("status", InvestigationStatus.values),
                                   name="investigation_status_known"),
            models.CheckConstraint(condition=Q(status=InvestigationStatus.OPEN, closed_at__isnull=True)
                                   | Q(status=InvestigationStatus.CLOSED, closed_at__isnull=False),
                                   name="investigation_closed_has_date"),
        ]
        indexes = [models.Index(fields=["status", "borough"]), models.Index(fields=["status", "agency"])]

    def __str__(self) -> str:
        return f"Investigation {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.status == InvestigationStatus.OPEN

    @property
    def strand_labels(self) -> list[str]:
        return [Strand(value).label for value in self.strands if value in Strand.values]


class InvestigationEvent(models.Model):
    """An event joined to an investigation, by whom and why."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="linked_events")
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="investigation_links")
    joined_at = models.DateTimeField()
    joined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["investigation", "event"], name="investigation_event_once")]
        indexes = [models.Index(fields=["event"])]

    def __str__(self) -> str:
        return f"{self.event_id} in {self.investigation}"


class InvestigationRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    CHILD = "child", "Child in the household"
    SUBJECT = "subject", "Subject"
    PARENT_CARER = "parent_carer", "Parent or carer"
    WITNESS = "witness", "Witness or reporting person"
    OTHER = "other", "Other"


class InvestigationPerson(models.Model):
    """A person's part in an investigation (taken from their roles in its events)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="people")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="investigation_roles")
    role = models.CharField(max_length=20, choices=InvestigationRole.choices)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["investigation", "person", "role"], name="investigation_person_role_once"),
            models.CheckConstraint(condition=one_of("role", InvestigationRole.values), name="investigation_role_known"),
        ]
        indexes = [models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.person} as {self.role} in {self.investigation}"


class BailCondition(models.Model):
    """A condition of a suspect's bail: what it says, when it was imposed and when it expires."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="bail_conditions")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="bail_conditions")
    condition = models.TextField()
    imposed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["expires_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gte=models.F("imposed_on")),
                                   name="bail_expires_after_imposed"),
        ]

    def __str__(self) -> str:
        return f"Bail condition on {self.person} until {self.expires_on}"

    def days_left(self, today: date) -> int:
        """Return the days until the condition expires (negative once it has expired)."""
        return (self.expires_on - today).days


class Overlap(models.TextChoices):
    SAME_VICTIM = "same_victim", "Same victim"
    SAME_SUSPECT = "same_suspect", "Same suspect"
    SAME_HOUSEHOLD = "same_household", "Same household"
    SAME_PERSON = "same_person", "Same person, in another role"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    JOINED = "joined", "Joined"
    DECLINED = "declined", "Declined"


class JoinProposal(models.Model):
    """Lantern's proposal to join an event to an open investigation it overlaps; made once per pair."""

    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="join_proposals")
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="join_proposals")
    overlaps = models.JSONField(help_text="Overlap values, strongest first")
    # Person ids, never names: whoever reads the proposal sees only the people they may see.
    shared = models.JSONField(help_text="[{person, overlap, here, there}]: who the event shares with the investigation")
    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "investigation"], name="join_proposal_once"),
            models.CheckConstraint(condition=one_of("status", ProposalStatus.values),
                                   name="join_proposal_status_known"),
        ]
        indexes = [models.Index(fields=["investigation", "status"])]

    def __str__(self) -> str:
        return f"Join event {self.event_id} to {self.investigation}?"

    @property
    def overlap_labels(self) -> list[str]:
        return [Overlap(value).label for value in self.overlaps if value in Overlap.values]


class FamilySpoc(models.Model):
    """A family's single point of contact over a period; the current one has no end."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="spocs")
    spoc = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="families_as_spoc")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["family"], condition=Q(ended_at__isnull=True),
                                    name="family_one_current_spoc"),
        ]

    def __str__(self) -> str:
        return f"SPOC {self.spoc} for {self.family}"


class BoroughSpoc(models.Model):
    """A borough's (local authority's) single point of contact over a period."""

    borough = models.ForeignKey("organisations.Borough", on_delete=models.PROTECT, related_name="spocs")
    spoc = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="boroughs_as_spoc")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["borough"], condition=Q(ended_at__isnull=True),
                                    name="borough_one_current_spoc"),
        ]

    def __str__(self) -> str:
        return f"SPOC {self.spoc} for {self.borough}"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone call"
    VISIT = "visit", "Home visit"
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    TEXT = "text", "Text message"
    OTHER = "other", "Other"


class FamilyContactLog(models.Model):
    """One contact with the family: when, who, how, and what was said. Entries are never changed."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="contact_log")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    summary = models.TextField()
    investigation = models.ForeignKey(Investigation, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", help_text="The case it was written from, if any")

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=one_of("channel", Channel.values), name="contact_log_channel_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} with {self.family} at {self.at}"
