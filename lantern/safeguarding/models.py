"""Safeguarding rules' firings, and the tasks and notifications they raise.

A rule (declared in lantern.safeguarding.rules) fires once for each set of facts: the
(rule, facts_key) pair is unique, so the same facts sent again, or a feed imported twice,
never raise a second task. Each firing keeps the facts and a plain-English explanation,
which every task and notification shows as "why am I seeing this".
"""

from django.conf import settings
from django.db import models

from lantern.core.constraints import one_of
from lantern.core.references import new_reference


class RuleFiring(models.Model):
    """One rule fired once on one set of facts."""

    rule = models.CharField(max_length=60, help_text="The rule's code, e.g. operation_encompass")
    rule_version = models.CharField(max_length=20)
    facts_key = models.CharField(max_length=64, help_text="SHA-256 of the facts that made it fire")
    fired_at = models.DateTimeField()
    borough = models.ForeignKey("organisations.Borough", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="rule_firings")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="rule_firings")
    explanation = models.TextField(help_text="Why am I seeing this: which facts, which rule, which policy")
    facts = models.JSONField(default=dict, blank=True)
    # Which engine run inserted it: concurrent runs may race on the same facts, and only the
    # run whose insert won may raise the tasks.
    batch = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["fired_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "facts_key"], name="rule_fires_once_per_facts"),
        ]
        indexes = [models.Index(fields=["person"]), models.Index(fields=["event"])]

    def __str__(self) -> str:
        return f"{self.rule} v{self.rule_version} at {self.fired_at:%Y-%m-%d %H:%M}"


class Priority(models.TextChoices):
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(models.Model):
    """Something a team or a named person must do, by when, because a rule fired."""

    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    kind = models.CharField(max_length=40, help_text="e.g. marac_referral, return_interview, rso_visit")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    firing = models.ForeignKey(RuleFiring, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="safeguarding_tasks")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="safeguarding_tasks")
    borough = models.ForeignKey("organisations.Borough", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    owner_agency = models.ForeignKey("organisations.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="safeguarding_tasks")
    owner_team = models.CharField(max_length=100, blank=True,
                                  help_text="e.g. Child abuse investigation team, MASH, Offender management unit")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="safeguarding_tasks", help_text="The named person; empty until allocated")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    outcome = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.CharField(max_length=200, blank=True)
    # Optimistic locking: every change names the version it was made from (see services).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=one_of("status", TaskStatus.values), name="task_status_known"),
            models.CheckConstraint(condition=one_of("priority", Priority.values), name="task_priority_known"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["borough", "status"]),
        ]

    def __str__(self) -> str:
        return f"Task {self.reference}: {self.title}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"


class Notification(models.Model):
    """A message an agency must receive, by when, because a rule fired; its delivery is tracked."""

    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    kind = models.CharField(max_length=40, help_text="e.g. operation_encompass, custody_la")
    firing = models.ForeignKey(RuleFiring, on_delete=models.PROTECT, related_name="notifications")
    recipient_agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT,
                                         related_name="safeguarding_notifications")
    recipient_role = models.CharField(max_length=100, help_text="e.g. Designated safeguarding lead")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="safeguarding_notifications")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="safeguarding_notifications")
    borough = models.ForeignKey("organisations.Borough", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    subject = models.CharField(max_length=200)
    content = models.JSONField(default=list, help_text="An ordered list of [label, value] pairs")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    escalated_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When it was raised as overdue and still unread")
    escalation_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=one_of("status", NotificationStatus.values),
                                   name="notification_status_known"),
        ]
        indexes = [
            models.Index(fields=["recipient_agency", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"Notification {self.reference}: {self.subject}"


class RuleSetting(models.Model):
    """Whether a rule runs in a borough; a rule with no setting runs everywhere."""

    rule = models.CharField(max_length=60)
    borough = models.ForeignKey("organisations.Borough", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "borough"], name="rule_setting_once_per_borough")]

    def __str__(self) -> str:
        return f"{self.rule} in {self.borough}: {'on' if self.enabled else 'off'}"
