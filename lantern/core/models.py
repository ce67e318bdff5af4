"""The audit trail: an append-only, hash-chained log of every view and change."""

from django.conf import settings
from django.db import models


class AuditVerb(models.TextChoices):
    SIGN_IN = "user.sign_in", "Signed in"
    SIGN_OUT = "user.sign_out", "Signed out"
    USER_CREATE = "user.create", "Created a user"
    USER_UPDATE = "user.update", "Changed a user"
    PERSON_VIEW = "person.view", "Viewed a person"
    PERSON_SEARCH = "person.search", "Searched for a person"
    PERSON_CONNECTIONS_VIEW = "person.connections", "Viewed a person's household and network"
    PERSON_CREATE = "person.create", "Created a person"
    EVENT_VIEW = "event.view", "Viewed an event"
    RECORD_RECEIVE = "record.receive", "Received a source record"
    RECORD_UPDATE = "record.update", "Received a new version of a source record"
    EVENT_RECEIVE = "event.receive", "Received an event"
    SHARE_GRANT = "share.grant", "Shared a record with an agency"
    SHARE_REQUEST = "share.request", "Asked other agencies to share what they hold about a person"
    SHARE_ANSWER = "share.answer", "Answered a request to share records"
    IMPORT_BATCH = "intake.batch", "Imported a batch of feed lines"
    HELD_VIEW = "intake.held_view", "Viewed the lines held back from feeds"
    HELD_RETRY = "intake.held_retry", "Offered held feed lines to the importer again"
    HELD_DISMISS = "intake.held_dismiss", "Dismissed held feed lines"
    FEED_TOKEN_ISSUE = "feed.token_issue", "Issued a feed token"
    FEED_TOKEN_REVOKE = "feed.token_revoke", "Revoked a feed token"
    EXPORT = "export", "Exported records"
    API_CALL = "api.call", "Called the API"
    LINK_TRAIN = "linkage.train", "Trained the linkage model"
    LINK_RUN = "linkage.run", "Linked all records into persons"
    LINK_RECORD = "linkage.record", "Linked a record to a person"
    LINK_REVIEW = "linkage.review", "Decided whether two records are the same person"
    PERSON_MERGE = "person.merge", "Merged two persons"
    PERSON_SPLIT = "person.split", "Split records off a person"
    # The front door (lantern.referrals)
    CONTACT_CREATE = "contact.create", "Recorded a contact about a child or adult"
    CONTACT_VIEW = "contact.view", "Viewed a contact"
    CONTACT_RATE = "contact.rate", "Rated a contact (RAG)"
    CONTACT_ALLOCATE = "contact.allocate", "Allocated a contact"
    CONTACT_UPDATE = "contact.update", "Changed a contact"
    CONTACT_ESCALATE = "contact.escalate", "Escalated an overdue or unallocated contact"
    CONTACT_DECIDE = "contact.decide", "Recorded a decision on a contact"
    STRATEGY_RECORD = "contact.strategy", "Recorded a strategy discussion"
    INFO_REQUEST = "info.request", "Asked a partner agency for information"
    INFO_VIEW = "info.view", "Viewed a request for information"
    INFO_ANSWER = "info.answer", "Answered a request for information"
    INFO_AGREE = "info.agree", "Agreed to wider use of an answer"
    INFO_CHASE = "info.chase", "Chased an overdue request for information"
    # Safeguarding rules, tasks and notifications (lantern.safeguarding)
    RULE_FIRE = "rule.fire", "A safeguarding rule fired"
    RULE_SETTING = "rule.setting", "Switched a safeguarding rule on or off for a borough"
    TASK_CREATE = "task.create", "Created a task"
    TASK_VIEW = "task.view", "Viewed a task"
    TASK_UPDATE = "task.update", "Changed a task (done, reallocated, escalated)"
    NOTIFICATION_SEND = "notification.send", "Sent a notification"
    NOTIFICATION_DELIVER = "notification.deliver", "Recorded a notification as delivered or read"
    TASKS_EXPORT = "tasks.export", "Exported tasks and notifications"
    # Joined-up investigations and single points of contact (lantern.investigations)
    INVESTIGATION_CREATE = "investigation.create", "Opened an investigation"
    INVESTIGATION_VIEW = "investigation.view", "Viewed an investigation"
    INVESTIGATION_JOIN = "investigation.join", "Joined an event to an investigation"
    INVESTIGATION_PROPOSE = "investigation.propose", "Proposed joining overlapping events to open investigations"
    INVESTIGATION_UPDATE = "investigation.update", "Changed an investigation"
    SPOC_ASSIGN = "spoc.assign", "Named a single point of contact"
    SPOC_LOG = "spoc.log", "Wrote in a family's contact log"
    # Risk instruments (lantern.risk)
    RISK_ASSESS = "risk.assess", "Recorded a risk assessment"
    RISK_VIEW = "risk.view", "Viewed a risk assessment"


class AuditEntry(models.Model):
    """One audited action. Rows are only ever inserted, through `core.audit.audit_write`."""

    seq = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3, … with no gaps")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="audit_entries", help_text="Empty for the system itself",
    )
    actor_label = models.CharField(max_length=150, help_text="Username at the time, or 'system'")
    # No choices= here: a new verb should not need a migration. audit_write takes only AuditVerb.
    verb = models.CharField(max_length=40)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.verb} {self.target_type}:{self.target_id}"


class KeptVersion(models.Model):
    """An earlier version of something an agency sent, kept when a newer one replaced it."""

    version = models.PositiveIntegerField()
    received_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    data = models.JSONField()

    class Meta:
        abstract = True
