"""Values every page needs: the service name, who is signed in, and their menu."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from lantern.accounts.models import Role
from lantern.core.access import MASH_ROLES, scope_for
from lantern.organisations.models import AgencyKind


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: str
    # The pages that belong under this item, so it shows as the current one there too.
    pages: frozenset[str]
    args: tuple[str, ...] = ()

    @property
    def href(self) -> str:
        return reverse(f"web:{self.url_name}", args=self.args)


def menu_for(user: Any) -> list[MenuItem]:
    """Return the menu a user's role calls for, in the order they use it."""
    scope = scope_for(user)
    if not scope.sees_case_data:
        return []
    items = []
    if user.role in MASH_ROLES:
        items.append(MenuItem("mash-queue", "MASH queue", frozenset({"mash-queue", "contact", "contact-rate",
                                                                    "contact-allocate", "contact-edit", "contact-ask",
                                                                    "contact-decide", "contact-strategy"})))
    if user.agency is not None and user.agency.kind == AgencyKind.POLICE and user.role not in MASH_ROLES:
        items.append(MenuItem("officer-contact-step", "Child or adult coming to notice",
                              frozenset({"officer-contact-step", "officer-contact-check", "contact-sent"}), ("who",)))
    if user.role in {Role.PARTNER, Role.SOCIAL_WORKER}:
        items.append(MenuItem("partner-referral", "Make a referral", frozenset({"partner-referral", "contact-sent"})))
        items.append(MenuItem("information-requests", "Requests for information",
                              frozenset({"information-requests", "information-request"})))
    if user.role in MASH_ROLES | {Role.INVESTIGATOR, Role.OFFICER}:
        items.append(MenuItem("investigations", "Investigations", frozenset({
            "investigations", "investigation", "investigation-new", "join-proposals", "join-proposal", "borough-spoc",
            "investigation-edit", "investigation-close", "investigation-bail", "investigation-spoc",
            "investigation-log"})))
    if not scope.pseudonymised:
        items.append(MenuItem("tasks", "Tasks", frozenset({"tasks", "task", "task-complete", "task-reallocate"})))
        items.append(MenuItem("notifications", "Notifications", frozenset({"notifications", "notification"})))
    if user.role in {Role.SUPERVISOR, Role.INVESTIGATOR}:
        items.append(MenuItem("workload", "Workload", frozenset({"workload"})))
    if not scope.pseudonymised:
        items.append(MenuItem("person-search", "Find a person", frozenset({"person-search"})))
        items.append(MenuItem("share-requests", "Requests to share", frozenset({"share-requests", "share-request"})))
    if user.role in MASH_ROLES:
        items.append(MenuItem("review-queue", "Review matches", frozenset({"review-queue", "review-pair"})))
    return items


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {"service_name": "Lantern", "demo_mode": settings.LANTERN_DEMO,
            # The menu offers search to those who may search by personal details.
            "may_search": scope.sees_case_data and not scope.pseudonymised,
            "menu": menu_for(user)}
