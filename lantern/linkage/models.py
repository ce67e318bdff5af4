"""What linkage keeps: trained models, the real-time index, the review queue, and identity history."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lantern.core.constraints import one_of
from lantern.people.models import Person, SourceRecord


class LinkageModel(models.Model):
    """A trained linkage model, kept so that every run can say which parameters it used."""

    version = models.CharField(max_length=40, unique=True)
    trained_at = models.DateTimeField()
    seed = models.IntegerField()
    records = models.PositiveIntegerField(help_text="How many records it was trained on")
    parameters = models.JSONField(help_text="Splink settings with m and u, and name frequencies")
    active = models.BooleanField(default=False, help_text="The one that linking uses now")

    class Meta:
        ordering = ["-trained_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_linkage_model"),
        ]

    def __str__(self) -> str:
        return f"Linkage model {self.version}"


class LinkKey(models.Model):
    """One blocking key of one record: real-time linking finds candidates through these.

    Plain indexes, like `SearchTerm`'s, so a bulk load can build them once at the end.
    """

    key = models.BigIntegerField()
    # No foreign key in the database: the rows are made from their record, in the same
    # transaction, and deleted with it (Django's cascade). PostgreSQL checked each of the
    # millions a bulk load writes at commit, a fifth of the load's time (docs/benchmarks.md).
    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="link_keys", db_index=False,
                               db_constraint=False)

    class Meta:
        indexes = [models.Index(fields=["key", "record"], name="link_key_lookup"),
                   models.Index(fields=["record"], name="link_key_record")]

    def __str__(self) -> str:
        return f"{self.key} of record {self.record_id}"


class LinkRun(models.Model):
    """One batch linking of every record, with what it changed."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="runs")
    backend = models.CharField(max_length=20)
    records = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Persons kept, created, merged and split; pairs for review")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Link run {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    SAME = "same", "Same person"
    DIFFERENT = "different", "Not the same person"


class ReviewPair(models.Model):
    """Two records the model could not decide on, or that someone asked to have checked.

    A reviewer's decision wins over the model on every later run.
    """

    record_low = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    record_high = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    match_weight = models.FloatField()
    match_probability = models.FloatField()
    fields = models.JSONField(default=list, help_text="Each comparison: its level, label and match weight")
    model_version = models.CharField(max_length=40, blank=True)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty when the model raised it",
    )
    raised_because = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["status", "-match_probability"]
        constraints = [
            models.UniqueConstraint(fields=["record_low", "record_high"], name="review_pair_once"),
            models.CheckConstraint(condition=Q(record_low__lt=F("record_high")), name="review_pair_in_order"),
            models.CheckConstraint(condition=one_of("status", ReviewStatus.values), name="review_status_known"),
        ]
        indexes = [models.Index(fields=["status", "match_probability"])]

    def __str__(self) -> str:
        return f"{self.record_low} and {self.record_high} ({self.get_status_display()})"


class ChangeKind(models.TextChoices):
    CREATED = "created", "Created"
    GREW = "grew", "Records joined"
    MERGED = "merged", "Merged into another person"
    SPLIT = "split", "Records split off"


class PersonChange(models.Model):
    """One change to who a person is: records joining, splitting off, or a merge."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    other = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The person merged into, or that the records went to or came from",
    )
    records = models.JSONField(default=list, help_text="The records concerned, as agency:source_id")
    at = models.DateTimeField()
    run = models.ForeignKey(LinkRun, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display().lower()}"
