"""Risk assessments: each keeps its answers, score, grade, instrument version and assessor, unchanged."""

from typing import Any

from django.conf import settings
from django.db import models


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("An assessment never changes: record a new one")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("An assessment is never deleted")


class Assessment(models.Model):
    """One assessment of one person with one version of one instrument, as scored when it was made."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="risk_assessments")
    # The front-door contact it was made for, if any, by reference (not a key: contacts live in
    # another app and an assessment must outlive any change there).
    contact_reference = models.CharField(max_length=40, blank=True)
    instrument_code = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=30)
    # The SHA-256 of the instrument file as it was scored, so an edit to a released version shows.
    instrument_digest = models.CharField(max_length=64)
    answers = models.JSONField()
    context = models.JSONField()
    score = models.FloatField()
    section_scores = models.JSONField(default=dict, blank=True)
    grade = models.CharField(max_length=40)
    referrals = models.JSONField(default=list, blank=True)
    explanations = models.JSONField(default=list, blank=True)
    rationale = models.TextField(blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="risk_assessments")
    # The assessor's agency when they assessed: who else may read it follows from this.
    agency = models.ForeignKey("organisations.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="risk_assessments")
    assessed_at = models.DateTimeField()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        indexes = [models.Index(fields=["person", "assessed_at"])]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.instrument_version} of {self.person_id}: {self.grade}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An invariant, not business logic: a recorded assessment is evidence and never changes.
        if not self._state.adding:
            raise TypeError("An assessment never changes: record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("An assessment is never deleted")

    @property
    def referral_codes(self) -> list[str]:
        return [str(r["code"]) for r in self.referrals]
