"""Optimistic locking: a change is saved only from the version the user saw, so nobody's work is overwritten.

A model that uses it has `version`, `updated_at` and `updated_by` fields.
"""

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import F, Model
from django.utils import timezone

M = TypeVar("M", bound=Model)


class EditConflict(Exception):
    """Someone else changed the thing after the user opened it; `current` is it as it now is."""

    def __init__(self, current: Any) -> None:
        changer = current.updated_by
        who = (changer.get_full_name() or changer.get_username()) if changer else "Lantern"
        when = timezone.localtime(current.updated_at).strftime("%H:%M on %d %B %Y")
        super().__init__(f"{who} changed this {current._meta.verbose_name} at {when}, after you opened it. Your "
                         "changes have not been saved: they are shown below. Check what changed, then save again.")
        self.current = current


def save_from_version(obj: M, expected_version: int, actor: Any, now: datetime, **changes: Any) -> M:
    """Save changes only if nobody saved `obj` since `expected_version`; else raise EditConflict."""
    rows = type(obj)._default_manager.filter(pk=obj.pk, version=expected_version)
    if not rows.update(**changes, version=F("version") + 1, updated_at=now, updated_by=actor):
        raise EditConflict(type(obj)._default_manager.select_related("updated_by").get(pk=obj.pk))
    obj.refresh_from_db()
    return obj
