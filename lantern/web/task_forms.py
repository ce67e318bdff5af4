"""Forms for safeguarding tasks: done with an outcome, or given to a named person."""

from typing import Any

from django import forms

from lantern.accounts.models import User

from .forms import _reason_field
from .front_door_forms import VersionedForm


class CompleteTaskForm(VersionedForm):
    outcome = _reason_field("What was done?", "Your note is recorded with your name and the time.")


class ReallocateTaskForm(VersionedForm):
    owner = forms.ModelChoiceField(label="Give it to", queryset=User.objects.none(), empty_label=None,
                                   error_messages={"required": "Choose who will do it",
                                                   "invalid_choice": "Choose someone in the owning team"})

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["owner"]
        field.queryset = User.objects.filter(pk__in=[u.pk for u in owners]).order_by("first_name", "last_name")
        field.label_from_instance = lambda user: f"{user.get_full_name() or user.username} ({user.role_label})"
