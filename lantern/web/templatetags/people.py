"""Template filters for showing people."""

from collections.abc import Sequence

from django import template

from lantern.events.models import Event, Role
from lantern.people.models import SourceRecord

register = template.Library()


@register.filter
def best_name(records: Sequence[SourceRecord]) -> str:
    """Return the name on the most recently received record that has one."""
    named = [r for r in records if r.full_name]
    return max(named, key=lambda r: r.received_at).full_name if named else "Name not known"


@register.filter
def humanise(value: str) -> str:
    return value.replace("_", " ").capitalize()


@register.filter
def roles_for(roles_by_event: dict[int, list[str]], event: Event) -> str:
    return ", ".join(Role(role).label for role in roles_by_event.get(event.pk, []))


@register.filter
def get_item(mapping: dict[int, object], key: int) -> object:
    return mapping.get(key)


@register.filter
def as_percent(probability: float) -> str:
    """Show a probability as a percentage; near-certain links say so rather than round to 100%."""
    if probability >= 0.9995:
        return "over 99.9%"
    return f"{probability * 100:.1f}%"


@register.filter
def edge_width(count: int) -> int:
    """Return a network line's width: thicker for more shared events, up to a limit."""
    return min(1 + count, 8)
