"""A Django form renderer that draws fields with GOV.UK Design System markup, and the web app's forms."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.renderers import TemplatesSetting

from lantern.core.access import MIN_REASON_LENGTH
from lantern.core.references import normalise_reference

if TYPE_CHECKING:
    from lantern.people.models import SourceRecord


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"


# Linkage: reviewing pairs, splitting and merging persons (lantern.web.views.linkage) -----------

def _reason_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4}), min_length=MIN_REASON_LENGTH,
        error_messages={"required": "Enter your reason",
                        "min_length": f"Your reason must be at least {MIN_REASON_LENGTH} characters"},
    )


class AccessReasonForm(forms.Form):
    """Why the user needs to open restricted records before a linkage page shows them."""

    access_reason = forms.CharField(
        label="Why do you need to see these records?",
        help_text="Your reason is recorded with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 3}), min_length=MIN_REASON_LENGTH,
        error_messages={"required": "Enter why you need to see these records",
                        "min_length": f"Your reason must be at least {MIN_REASON_LENGTH} characters"},
    )


class DecisionForm(forms.Form):
    """A reviewer's decision on a pair of records."""

    SAME, DIFFERENT = "same", "different"

    decision = forms.ChoiceField(
        label="Are these records the same person?",
        choices=[(SAME, "Same person"), (DIFFERENT, "Not the same person")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether these records are the same person",
                        "invalid_choice": "Select whether these records are the same person"},
    )
    reason = _reason_field(
        "Why?", "Say what convinced you. Your reason is recorded with your name, and later linking keeps to it.",
    )

    @property
    def same(self) -> bool:
        return bool(self.cleaned_data["decision"] == self.SAME)


class SplitForm(forms.Form):
    """Which of a person's records move to a new person, and why."""

    records = forms.MultipleChoiceField(
        label="Records to move to a new person", widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. At least one record must stay with this person.",
        error_messages={"required": "Select the records to move to a new person",
                        "invalid_choice": "Select records that belong to this person"},
    )
    reason = _reason_field(
        "Why are these records a different person?",
        "Your reason is recorded with your name, and later linking keeps these records apart.",
    )

    def __init__(self, *args: Any, records: Sequence["SourceRecord"], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = [(str(record.pk), str(record)) for record in records]  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    """Another person whose records join this one, and why."""

    other = forms.CharField(
        label="Reference of the other person", max_length=20,
        help_text="For example, HXK4-RM7J. Their records join this person, and their reference will lead here.",
        error_messages={"required": "Enter the other person's reference"},
    )
    reason = _reason_field(
        "Why are they the same person?",
        "Your reason is recorded with your name, and later linking keeps these records together.",
    )

    def clean_other(self) -> str:
        reference = normalise_reference(self.cleaned_data["other"])
        if reference is None:
            raise forms.ValidationError("Enter a person reference as 8 letters and numbers, like HXK4-RM7J")
        return reference
