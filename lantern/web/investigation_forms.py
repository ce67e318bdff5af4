"""Forms for investigations: opening one, deciding a join proposal, bail conditions, closing; SPOCs and the log."""

from datetime import date
from typing import Any

from django import forms

from lantern.accounts.models import User
from lantern.events.models import Event
from lantern.investigations.models import Channel, Strand
from lantern.people.models import Person

from .forms import DATE_FORMATS, _reason_field
from .front_door_forms import MOMENT_FORMATS, VersionedForm, _text


def _staff_field(label: str, message: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, queryset=User.objects.none(), empty_label=None,
                                  error_messages={"required": message, "invalid_choice": message})


def _offer_staff(field: Any, staff: list[User]) -> None:
    field.queryset = User.objects.filter(pk__in=[u.pk for u in staff]).order_by("first_name", "last_name")
    field.label_from_instance = lambda user: f"{user.get_full_name() or user.username} ({user.role_label})"


def _strands_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Strands", choices=Strand.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one strand", "invalid_choice": "Select a strand from the list"})


def _date_field(label: str, help_text: str, message: str) -> forms.DateField:
    return forms.DateField(label=label, help_text=help_text, input_formats=DATE_FORMATS,
                           error_messages={"required": message, "invalid": f"{message}, like 27/3/2026"})


class OpenInvestigationForm(forms.Form):
    """Open an investigation from one of a person's events (or the event given)."""

    event = forms.ChoiceField(label="Which event does it start from?", widget=forms.RadioSelect,
                              error_messages={"required": "Select the event it starts from",
                                              "invalid_choice": "Select one of the events listed"})
    title = forms.CharField(label="Title", max_length=200, help_text="For example, what happened, where and when.",
                            error_messages={"required": "Enter a title for the investigation"})
    strands = _strands_field()
    officer = _staff_field("Officer in charge", "Choose the officer in charge")
    separate_reason = _text("If it overlaps an open investigation: why does it need a separate one?",
                            "Leave this blank unless Lantern says the event overlaps an open investigation.",
                            required=False, rows=3)

    def __init__(self, *args: Any, events: list[Event], staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events = {str(e.pk): e for e in events}
        self.fields["event"].choices = [  # type: ignore[attr-defined]
            (str(e.pk), f"{e.get_type_display()}, {e.occurred_at:%d %B %Y}, {e.agency.name}") for e in events]
        _offer_staff(self.fields["officer"], staff)

    def chosen_event(self) -> Event:
        return self.events[self.cleaned_data["event"]]


class ProposalDecisionForm(forms.Form):
    """Join the proposed event to the investigation, start a separate investigation, or decline."""

    JOIN, SEPARATE, DECLINE = "join", "separate", "decline"

    decision = forms.ChoiceField(
        label="What should happen to this event?", widget=forms.RadioSelect,
        error_messages={"required": "Select what should happen to this event",
                        "invalid_choice": "Select what should happen to this event"})
    reason = _reason_field("Why?", "Your reason is recorded with your name and the time.")

    def __init__(self, *args: Any, investigation_reference: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            (self.JOIN, f"Join it to investigation {investigation_reference}"),
            (self.SEPARATE, "Start a separate investigation"),
            (self.DECLINE, "Neither: it does not belong with this investigation"),
        ]


class BailConditionForm(forms.Form):
    person = forms.ChoiceField(label="Whose bail?", error_messages={"required": "Choose whose bail it is",
                                                                    "invalid_choice": "Choose someone listed"})
    condition = _text("Condition", "As the custody record or court gives it, for example: not to contact Leah "
                      "Morgan directly or indirectly.", rows=3, message="Enter the condition")
    imposed_on = _date_field("Imposed on", "For example, 27/3/2026", "Enter the date it was imposed")
    expires_on = _date_field("Expires on", "The date the bail (and the condition) ends, for example, 24/4/2026",
                             "Enter the date it expires")

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(pk), label) for pk, label in people]  # type: ignore[attr-defined]

    def chosen_person(self) -> Person:
        return Person.objects.get(pk=int(self.cleaned_data["person"]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        imposed: date | None = cleaned.get("imposed_on")
        expires: date | None = cleaned.get("expires_on")
        if imposed and expires and expires < imposed:
            self.add_error("expires_on", "The expiry date must be on or after the date it was imposed")
        return cleaned


class SpocForm(forms.Form):
    spoc = _staff_field("Single point of contact", "Choose the single point of contact")
    reason = _reason_field("Why this person?", "For example, the current SPOC has moved team. Your reason is "
                           "recorded with your name and the time.")

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_staff(self.fields["spoc"], staff)


class ContactLogForm(forms.Form):
    channel = forms.ChoiceField(label="How?", choices=Channel.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Select how you were in contact",
                                                "invalid_choice": "Select how you were in contact"})
    at = forms.DateTimeField(label="When?", required=False, input_formats=MOMENT_FORMATS,
                             help_text="For example, 21/11/2026 14:30. Leave blank for now.",
                             error_messages={"invalid": "Enter the date and time like 21/11/2026 14:30"})
    summary = _text("What was said or done?", "Who you spoke to, what they said, and what you agreed.",
                    message="Enter what was said or done", rows=5)


class CloseForm(VersionedForm):
    reason = _reason_field("Why is the investigation closing?", "For example, charged and bailed to court, or no "
                           "further action with the reason. Recorded with your name and the time.")


class EditInvestigationForm(VersionedForm):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    strands = _strands_field()
    officer = _staff_field("Officer in charge", "Choose the officer in charge")

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_staff(self.fields["officer"], staff)
