"""Staff users: each has one role, belongs to one agency and (for most roles) one borough."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from lantern.core.constraints import one_of
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


class StaffManager(UserManager["User"]):
    def create_superuser(self, username: str, email: str | None = None, password: str | None = None,
                         **extra_fields: Any) -> "User":
        """Create a superuser as a system administrator: it manages users, not cases."""
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


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

    objects: ClassVar[StaffManager] = StaffManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=one_of("role", Role.values), name="user_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_full_name() or self.username} ({self.role_label})"

    @property
    def manages_users(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""
