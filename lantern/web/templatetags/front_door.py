"""Template tags for the front door: a clock's state as a coloured tag, and a RAG rating's tag."""

from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

RATING_COLOURS = {"red": "red", "amber": "orange", "green": "green", "blue": "blue"}
SOON_SECONDS = 60 * 60


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes and not days else []
    return " ".join(parts) or "under a minute"


@register.simple_tag
def clock(due_at: datetime | None, now: datetime, status: str = "") -> SafeString:
    """Render how long is left, or how overdue it is, as a GOV.UK tag (colour and words both say it).

    A decided contact's clock has stopped.
    """
    if due_at is None or status == "decided":
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Clock stopped")
    left = (due_at - now).total_seconds()
    if left < 0:
        return format_html('<strong class="govuk-tag govuk-tag--red">Overdue by {}</strong>', _span(-left))
    colour = "yellow" if left < SOON_SECONDS else "grey"
    return format_html('<strong class="govuk-tag govuk-tag--{}">Due in {}</strong>', colour, _span(left))


@register.simple_tag
def rating_tag(rating: str) -> SafeString:
    """Render a RAG rating as a tag; an unrated contact says so."""
    if not rating:
        return format_html('<strong class="govuk-tag govuk-tag--purple">{}</strong>', "Not rated")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', RATING_COLOURS[rating],
                       rating.capitalize())
