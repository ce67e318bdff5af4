"""Staff users: each has one role, belongs to one agency and (for most roles) one borough."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from lantern.organisations.models import Agency, Borough


class Role(models.TextChoices):
    RESEARCHER = "researcher", "MASH researcher"
    SUPERVISOR = "supervisor", "MASH supervisor"
    INVESTIGATOR = "investigator", "Safeguarding investigator"
    OFFICER = "officer", "Neighbourhood or schools officer"
    SOCIAL_WORKER = "social_worker", "Local authority social worker"
    PARTNER = "partner", "Health or education partner"
    SCRUTINY = "scrutiny", "Scrutiny panel member"
    ADMIN = "admin", "System administrator"


class User(AbstractUser):
    """A member of staff who signs in to Lantern."""

    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    is_demo = models.BooleanField(
        default=False, help_text="Created by `lantern demo`; can sign in only in demo mode"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_known"
            ),
        ]

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""
