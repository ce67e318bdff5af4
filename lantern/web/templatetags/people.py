"""Template filters for showing people."""


from django import template

from lantern.events.models import Event, Role
from lantern.people.profile import best_name

register = template.Library()


register.filter("best_name", best_name)


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
