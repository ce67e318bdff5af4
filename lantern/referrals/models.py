"""The front door: contacts about a child or adult, their triage, partners' answers, and decisions.

A contact comes from an officer at the scene, a partner agency, a member of the public, or
an imported event that meets referral criteria. It is triaged in its borough's MASH queue
(RAG rating, a clock, a named researcher), partner agencies are asked what they hold, and a
decision is recorded.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.core.constraints import one_of
from lantern.core.references import new_reference


class Source(models.TextChoices):
    OFFICER = "officer", "Police officer"
    PARTNER = "partner", "Partner agency referral"
    PUBLIC = "public", "Member of the public"
    AUTOMATIC = "automatic", "Imported event"


class Trigger(models.TextChoices):
    """Why an imported event became a contact on its own (declared in referrals.criteria)."""

    DA_CHILD_PRESENT = "da_child_present", "Child present at a domestic abuse incident"
    CHILD_IN_CUSTODY = "child_in_custody", "Child detained in custody"
    MISSING_RETURN = "missing_return", "Missing child returned"


class Rating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"


class PartnerRole(models.TextChoices):
    DSL = "dsl", "School designated safeguarding lead"
    GP = "gp", "GP"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    SCHOOL_NURSE = "school_nurse", "School nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    PROBATION_OFFICER = "probation_officer", "Probation officer"
    OTHER = "other", "Other professional"


class Contact(models.Model):
    """One contact about a child or adult, triaged by the MASH of its borough."""

    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    source = models.CharField(max_length=20, choices=Source.choices)
    trigger = models.CharField(max_length=30, choices=Trigger.choices, blank=True)
    borough = models.ForeignKey("organisations.Borough", on_delete=models.PROTECT, related_name="contacts",
                                help_text="The MASH that triages it: where the person lives, else where it happened")
    received_at = models.DateTimeField()
    # Who it is about: the record made from what the reporter said (or, for an imported event, the
    # agency's own record), linked in real time to its person.
    subject_record = models.ForeignKey("people.SourceRecord", on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="contacts")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="contacts", help_text="The event it came from, or the one it recorded")
    occurred_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=300, blank=True)
    what_happened = models.TextField()
    risk_consideration = models.TextField(blank=True)
    action_taken = models.TextField(blank=True)
    screening_notes = models.TextField(blank=True, help_text="The MASH researcher's notes")
    # Who told us.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="contacts_reported")
    reporter_agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT, related_name="+")
    reporter_role = models.CharField(max_length=30, blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_contact = models.CharField(max_length=200, blank=True, help_text="Phone or email, if given")
    # Triage.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(help_text="When the MASH's decision is due, from the rating's clock")
    clock_basis = models.CharField(max_length=200, help_text="Which clock set due_at, in words")
    allocated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="contacts_allocated")
    allocated_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When the supervisor was alerted that it was overdue or unallocated")
    escalation_reason = models.CharField(max_length=200, blank=True)
    # Optimistic locking: every change names the version it was made from (see contact_update).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # A form sent twice (a double click, a retry on a poor signal) carries the same key.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(condition=one_of("source", Source.values), name="contact_source_known"),
            models.CheckConstraint(condition=Q(rating="") | one_of("rating", Rating.values),
                                   name="contact_rating_known"),
            models.CheckConstraint(condition=one_of("status", Status.values), name="contact_status_known"),
            models.UniqueConstraint(fields=["event", "subject_record", "trigger"], condition=~Q(trigger=""),
                                    name="contact_once_per_event_trigger"),
        ]
        indexes = [models.Index(fields=["borough", "status", "due_at"])]

    def __str__(self) -> str:
        return f"Contact {self.reference}"


class RatingChange(models.Model):
    """A RAG rating given or changed, with the reason."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="rating_changes")
    from_rating = models.CharField(max_length=10, blank=True)
    to_rating = models.CharField(max_length=10, choices=Rating.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.contact}: {self.from_rating or 'unrated'} to {self.to_rating}"


class InformationRequest(models.Model):
    """The MASH asks a partner agency what it holds about the contact's subject.

    The answer stays inside the hub's record (the MASH firewall) until the owning agency
    agrees to its wider use; that agreement is recorded here.
    """

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="information_requests")
    agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT, related_name="information_requests")
    question = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    clock_basis = models.CharField(max_length=200)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    wider_use_agreed_at = models.DateTimeField(null=True, blank=True)
    wider_use_agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    chased_at = models.DateTimeField(null=True, blank=True)
    chase_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["agency", "answered_at", "due_at"])]

    def __str__(self) -> str:
        return f"Request to {self.agency} about {self.contact}"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice and information"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "s17", "Child in need (Children Act 1989, section 17)"
    STRATEGY_DISCUSSION = "s47", "Strategy discussion (Children Act 1989, section 47)"


class Decision(models.Model):
    """The MASH's decision on a contact: what happens next, why, and who was told."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reasons = models.TextField()
    agencies_told = models.ManyToManyField("organisations.Agency", related_name="+", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=one_of("outcome", Outcome.values), name="decision_outcome_known"),
        ]

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_outcome_display()}"


class StrategyDiscussion(models.Model):
    """A strategy discussion held after a decision that significant harm is suspected."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="strategy_discussion")
    held_at = models.DateTimeField()
    attendees = models.JSONField(help_text="[{name, agency}] in the order given")
    decision = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Strategy discussion for {self.contact}"


class StrategyAction(models.Model):
    """An action agreed at a strategy discussion, with its owner and due date."""

    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE, related_name="actions")
    action = models.TextField()
    owner = models.CharField(max_length=200)
    owner_agency = models.CharField(max_length=200)
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.owner}, by {self.due_on})"


class PublicReport(models.Model):
    """When a public report arrived and from which (hashed) address: the public form's rate limit."""

    client_hash = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Public report at {self.received_at}"
