"""Records one agency has shared with another: who shared it, when, and on what legal basis."""

from django.conf import settings
from django.db import models

from lantern.core.constraints import one_of


class LegalBasis(models.TextChoices):
    DPA_SAFEGUARDING = (
        "dpa2018_sch8_para4",
        "Data Protection Act 2018, Schedule 8 paragraph 4 (safeguarding children and individuals at risk)",
    )
    CHILDREN_ACT_S47 = "children_act_1989_s47", "Children Act 1989, section 47 (enquiry)"
    CHILDREN_ACT_S17 = "children_act_1989_s17", "Children Act 1989, section 17 (child in need)"
    CHILDREN_ACT_2004_S11 = "children_act_2004_s11", "Children Act 2004, section 11 (duty to safeguard)"
    CRIME_DISORDER_S115 = "crime_disorder_act_1998_s115", "Crime and Disorder Act 1998, section 115"
    LAW_ENFORCEMENT = "dpa2018_part3", "Data Protection Act 2018, Part 3 (law enforcement processing)"
    CONSENT = "consent", "Consent of the person"


class RecordShare(models.Model):
    """One source record or event made visible to another agency."""

    agency = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="shares_received"
    )
    source_record = models.ForeignKey(
        "people.SourceRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="shares"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="shares"
    )
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    shared_at = models.DateTimeField()
    legal_basis = models.CharField(max_length=40, choices=LegalBasis.choices)
    reason = models.TextField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(source_record__isnull=False, event__isnull=True)
                    | models.Q(source_record__isnull=True, event__isnull=False)
                ),
                name="share_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["agency", "source_record"], name="share_record_once_per_agency",
                condition=models.Q(source_record__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["agency", "event"], name="share_event_once_per_agency",
                condition=models.Q(event__isnull=False),
            ),
            models.CheckConstraint(
                condition=one_of("legal_basis", LegalBasis.values), name="share_legal_basis_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_record or self.event} shared with {self.agency}"


class ShareRequest(models.Model):
    """A user's request to see what other agencies hold about a person.

    It goes to every agency that holds records of the person; each answers for its own
    records (`ShareAnswer`), because only the agency that holds a record may share it.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="share_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="share_requests",
        help_text="The agency the records would be shared with: the requester's",
    )
    reason = models.TextField()
    legal_basis = models.CharField(max_length=40, choices=LegalBasis.choices)
    requested_at = models.DateTimeField()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("legal_basis", LegalBasis.values), name="share_request_legal_basis_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} for {self.person} by {self.agency}"


class ShareAnswer(models.Model):
    """One holding agency's answer to a share request: shared, or not and why."""

    request = models.ForeignKey(ShareRequest, on_delete=models.PROTECT, related_name="answers")
    agency = models.ForeignKey("organisations.Agency", on_delete=models.PROTECT, related_name="+")
    shared = models.BooleanField()
    records = models.PositiveIntegerField(default=0, help_text="How many records were shared")
    note = models.TextField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "agency"], name="share_answer_once_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency} answered request {self.request_id}"
