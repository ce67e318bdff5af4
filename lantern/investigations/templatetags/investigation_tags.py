"""The person page's single points of contact and open investigations, drawn without changing the person view."""

from typing import Any

from django import template

from lantern.investigations.selectors import spocs_for_person
from lantern.investigations.services import may_open_investigations

register = template.Library()


@register.inclusion_tag("investigations/_person_spoc.html", takes_context=True)
def person_spoc(context: template.Context) -> dict[str, Any]:
    """Show the family SPOC of the person's household, the borough SPOC, and the person's open investigations."""
    access, user = context["access"], context["user"]
    spocs = spocs_for_person(user, access)
    return {
        "spocs": spocs,
        "reference": access.person.reference,
        "pseudonymised": access.pseudonymised,
        "may_open": may_open_investigations(user) and not access.pseudonymised,
    }


@register.simple_tag
def expiry(days_left: int) -> str:
    """Say when something expires, in words: 'expires today', 'expires in 3 days', 'expired 2 days ago'."""
    if days_left == 0:
        return "Expires today"
    if days_left > 0:
        return f"Expires in {days_left} day{'s' if days_left != 1 else ''}"
    return f"Expired {-days_left} day{'s' if days_left != -1 else ''} ago"
