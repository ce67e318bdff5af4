"""Events: things that happened (a crime, a missing episode, a CP plan), and who was involved."""

from django.db import models
from django.db.models import Q

from lantern.core.constraints import one_of
from lantern.core.models import KeptVersion
from lantern.organisations.models import Agency, Borough
from lantern.people.models import Address, SourceRecord

from .schemas import validate_attributes


class EventType(models.TextChoices):
    CRIME = "crime", "Crime"
    DOMESTIC_ABUSE_INCIDENT = "domestic_abuse_incident", "Domestic abuse incident"
    MISSING_EPISODE = "missing_episode", "Missing episode"
    CUSTODY_DETENTION = "custody_detention", "Custody detention"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    LOOKED_AFTER_PERIOD = "looked_after_period", "Looked-after period"
    RSO_REGISTRATION = "rso_registration", "Sex offender registration"
    IIOC_INVESTIGATION = "iioc_investigation", "Indecent images investigation"
    CONTACT = "contact", "Contact"
    SCHOOL_CONCERN = "school_concern", "School concern"
    HEALTH_ATTENDANCE = "health_attendance", "Health attendance"
    RADICALISATION_REFERRAL = "radicalisation_referral", "Radicalisation (Prevent) referral"
    FGM_REPORT = "fgm_report", "FGM report"
    MODERN_SLAVERY_REFERRAL = "modern_slavery_referral", "Modern slavery referral"
    HATE_CRIME = "hate_crime", "Hate crime"
    CHILD_DEATH = "child_death", "Child death"
    STOP_AND_SEARCH = "stop_and_search", "Stop and search"
    EXPLOITATION_ASSESSMENT = "exploitation_assessment", "Exploitation risk assessment"


class Role(models.TextChoices):
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    MISSING_PERSON = "missing_person", "Missing person"
    DETAINEE = "detainee", "Detainee"
    CHILD_PRESENT = "child_present", "Child present"
    SUBJECT = "subject", "Subject"
    REPORTING_PERSON = "reporting_person", "Reporting person"
    PARENT_CARER = "parent_carer", "Parent or carer"
    ASSOCIATE = "associate", "Associate"
    OFFENDER = "offender", "Offender"


class EventQuerySet(models.QuerySet["Event"]):
    def bulk_create(self, objs, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        # Bulk inserts skip save(), so check every event's attributes here too.
        for event in objs:
            validate_attributes(event.type, event.attributes)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if "attributes" in fields or "type" in fields:
            for event in objs:
                validate_attributes(event.type, event.attributes)
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        if "attributes" in kwargs or "type" in kwargs:
            raise TypeError("Change an event's type or attributes through event_receive, not update()")
        return super().update(**kwargs)


class Event(models.Model):
    """Something that happened, as recorded by one agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="events", db_index=False)
    source_system = models.CharField(max_length=100)
    source_id = models.CharField(max_length=100)
    type = models.CharField(max_length=40, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64)
    borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    location = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    attributes = models.JSONField(default=dict, blank=True)
    narrative = models.TextField(blank=True)
    restricted = models.BooleanField(default=False)
    records: "models.ManyToManyField[SourceRecord, Involvement]" = models.ManyToManyField(
        SourceRecord, through="Involvement", related_name="events"
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "source_id"], name="event_unique_per_agency"),
            models.CheckConstraint(condition=one_of("type", EventType.values), name="event_type_known"),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(reported_at__gte=models.F("occurred_at")),
                name="event_reported_after_it_occurred",
            ),
        ]
        indexes = [
            models.Index(fields=["type", "occurred_at"]),
            models.Index(fields=["borough", "agency"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.agency.code}:{self.source_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # An invariant, not business logic: no write may store attributes its type forbids.
        validate_attributes(self.type, self.attributes)
        super().save(*args, **kwargs)


class Involvement(models.Model):
    """A person's part in an event, through the record of them that the agency holds."""

    # The unique (event, source_record, role) index serves look-ups by event.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="involvements", db_index=False)
    source_record = models.ForeignKey(
        SourceRecord, on_delete=models.PROTECT, related_name="involvements"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source_record", "role"], name="involvement_once_per_role"
            ),
            models.CheckConstraint(condition=one_of("role", Role.values), name="involvement_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.source_record} as {self.role} in {self.event}"


class EventVersion(KeptVersion):
    """An earlier version of an event, kept when a newer one replaced it."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="versions")

    class Meta:
        ordering = ["event", "version"]
        constraints = [
            models.UniqueConstraint(fields=["event", "version"], name="event_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event} v{self.version}"
