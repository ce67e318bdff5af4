"""What the importer keeps besides the records themselves: runs, and lines it could not take."""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.core.constraints import one_of


class ImportRun(models.Model):
    """One `lantern import` or one API batch: what came in and what became of it."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    source = models.CharField(max_length=500, help_text="Files, or the feed that sent the batch")
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.source}"

    @property
    def held(self) -> int:
        """Lines held, quarantined or waiting (none counted yet while the run is going)."""
        return self.counts.get("quarantined", 0) + self.counts.get("waiting", 0)


# Lines sent to POST /api/v1/intake come from "api:AGENCY:FEED NAME"; files from their paths.
API_SOURCE = "api:"


class HeldStatus(models.TextChoices):
    QUARANTINED = "quarantined", "Quarantined"
    WAITING = "waiting", "Waiting for a person record"
    RESOLVED = "resolved", "Resolved"


class HeldLine(models.Model):
    """A line the importer did not take: refused (quarantined), or an event waiting for its people."""

    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="held_lines")
    status = models.CharField(max_length=12, choices=HeldStatus.choices)
    source = models.CharField(max_length=500, help_text="File path, or api:<agency>")
    line_number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, blank=True)
    agency = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=100, blank=True)
    field = models.CharField(max_length=200, blank=True, help_text="Where in the line the problem is")
    reason = models.TextField()
    code = models.CharField(max_length=40, blank=True, help_text="A stable name for reasons the importer acts on")
    raw = models.TextField(help_text="The line as it arrived (cut short if very long)")
    raw_truncated = models.BooleanField(default=False)
    # Bytes that were not UTF-8 (or a NUL) are kept as U+FFFD, and a line cut short or a row the
    # reader could not read is not the line as sent: offering such a line again would store what
    # the agency never sent, or fail for ever, so it is not offered again (people dismiss it).
    retriable = models.BooleanField(default=True, help_text="Kept as sent, so it can be offered again")
    # A line sent through the API is held to its feed's agency for ever, retried or not.
    feed_agency = models.CharField(max_length=60, blank=True,
                                   help_text="The one agency the feed that sent it may write, for API lines")
    raw_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole line as it arrived")
    waiting_for = models.JSONField(default=list, blank=True, help_text="Person source ids not yet received")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=400, blank=True,
                                  help_text="How it was resolved: went in, superseded, or dismissed (by whom, why)")
    attempts = models.PositiveIntegerField(default=1)
    # The latest run that held this same line again (sent once more unchanged), if any: a
    # line held again is the agency's latest word, so that run's records do not supersede it.
    last_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            # The same bad line sent again is not held twice.
            models.UniqueConstraint(
                fields=["raw_hash"], condition=~Q(status="resolved"), name="held_line_once_while_open"
            ),
            models.CheckConstraint(condition=one_of("status", HeldStatus.values), name="held_line_status_known"),
        ]
        indexes = [models.Index(fields=["status", "agency"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.line_number} {self.status}: {self.reason}"

    @property
    def source_name(self) -> str:
        """Where the line came from, for people: a file's name, or the API feed's (whose name,
        chosen by an administrator, may look like a path)."""
        if self.source.startswith(API_SOURCE):
            return f"the API feed '{self.source.split(':', 2)[-1]}'"
        return PurePath(self.source).name


class FeedToken(models.Model):
    """A credential an agency's system uses to send its feed to POST /api/v1/intake."""

    agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT, related_name="feed_tokens")
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. 'Mosaic nightly export'")
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the token; the token is never stored"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_batch_at = models.DateTimeField(
        null=True, blank=True, help_text="When the system last sent a batch with it (None: never)"
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"
