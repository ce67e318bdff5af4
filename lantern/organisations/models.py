"""The agencies that hold records, and the London boroughs that scope them."""

from django.db import models

from lantern.core.constraints import one_of


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    SCHOOL = "school", "School"
    HEALTH = "health", "Health"
    PROBATION = "probation", "Probation"
    YOUTH_OFFENDING = "youth_offending", "Youth offending"
    HOUSING = "housing", "Housing"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    PUBLIC = "public", "Member of the public"


class Borough(models.Model):
    """One of the 32 London boroughs or the City of London, keyed by its ONS code."""

    ons_code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100, unique=True)
    population_total = models.PositiveIntegerField()
    population_0_17 = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ons_code__regex=r"^E09[0-9]{6}$"), name="borough_ons_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An organisation whose records Lantern holds: the Met, a council, a school, a trust."""

    code = models.SlugField(max_length=60, unique=True, help_text="Short code used in feeds")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies",
        help_text="The borough it serves; empty for London-wide agencies such as the Met",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(condition=one_of("kind", AgencyKind.values), name="agency_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name
