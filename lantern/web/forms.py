"""A Django form renderer that draws fields with GOV.UK Design System markup, and the web app's forms."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.renderers import TemplatesSetting

from lantern.core.access import MIN_REASON_LENGTH
from lantern.core.references import normalise_reference
from lantern.people.content import parse_partial_date
from lantern.people.profile import ChronologyFilter
from lantern.people.search import SearchQuery
from lantern.sharing.models import LegalBasis

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


# The single view: searching for a person and filtering their chronology (lantern.web.views.people) --

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]


MONTH_YEAR_FORMATS = ("%m/%Y", "%m-%Y", "%B %Y", "%b %Y", "%Y-%m")


def _partial_date(text: str) -> tuple[int | None, int | None, int | None]:
    """Read a date of birth as people type it ('27/3/2011', '3/2011', '2011').

    The UK forms are put into the interchange format's 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'
    and checked by the same rules as every record's date of birth (a real date, not in
    the future, not implausibly early).
    """
    text = " ".join(text.replace(",", " ").split())
    iso = text if text.isdigit() and len(text) == 4 else None
    for formats, pattern in ((MONTH_YEAR_FORMATS, "%Y-%m"), (DATE_FORMATS, "%Y-%m-%d")):
        for fmt in formats:
            if iso is None:
                try:
                    iso = datetime.strptime(text, fmt).strftime(pattern)  # noqa: DTZ007  # a date, not a moment
                except ValueError:
                    continue
    try:
        return parse_partial_date(iso or text)
    except ValueError as problem:
        if iso is None:
            raise forms.ValidationError(
                "Enter a date of birth like 27/3/2011, or a month and year like 3/2011, or a year") from None
        raise forms.ValidationError(f"Enter a real date of birth: the {problem}") from None


class PersonSearchForm(forms.Form):
    """Search by any of a person's details; at least one is needed."""

    name = forms.CharField(label="Name", required=False, max_length=200,
                           help_text="Any part of their name. Misspellings and nicknames are found too.")
    date_of_birth = forms.CharField(label="Date of birth", required=False, max_length=30,
                                    help_text="For example, 27/3/2011, or just the year")
    age = forms.IntegerField(label="Age", required=False, min_value=0, max_value=120,
                             help_text="If you do not know their date of birth",
                             error_messages={"invalid": "Enter an age in years, like 14",
                                             "min_value": "Enter an age of 0 or more",
                                             "max_value": "Enter an age of 120 or less"})
    postcode = forms.CharField(label="Postcode", required=False, max_length=8,
                               help_text="A full postcode, like E8 1DY, or its first part, like E8")
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=14,
                                 help_text="10 digits, like 485 777 3456")
    reference = forms.CharField(label="Any agency's reference", required=False, max_length=100,
                                help_text="A crime number, a social care ID, a custody number")

    def clean_date_of_birth(self) -> tuple[int | None, int | None, int | None]:
        text = self.cleaned_data["date_of_birth"].strip()
        return _partial_date(text) if text else (None, None, None)

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        compact = postcode.replace(" ", "")
        if compact and not (compact.isalnum() and 2 <= len(compact) <= 7 and compact[0].isalpha()):
            raise forms.ValidationError("Enter a postcode like E8 1DY, or its first part, like E8")
        return compact

    def clean_nhs_number(self) -> str:
        digits = "".join(self.cleaned_data["nhs_number"].split())
        if digits and not (digits.isdigit() and len(digits) == 10):
            raise forms.ValidationError("Enter an NHS number as 10 digits, like 485 777 3456")
        return digits

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [name for name in ("name", "age", "postcode", "nhs_number", "reference")
                 if cleaned.get(name) not in (None, "")]
        if not given and cleaned.get("date_of_birth", (None,))[0] is None and not self.errors:
            raise forms.ValidationError("Enter at least one detail to search by", code="empty")
        return cleaned

    def query(self) -> SearchQuery:
        year, month, day = self.cleaned_data["date_of_birth"]
        return SearchQuery(
            name=self.cleaned_data["name"].strip(), dob_year=year, dob_month=month, dob_day=day,
            age=self.cleaned_data["age"], postcode=self.cleaned_data["postcode"],
            nhs_number=self.cleaned_data["nhs_number"], reference=self.cleaned_data["reference"].strip(),
        )


class ChronologyFilterForm(forms.Form):
    """Narrow a person's chronology by agency, type of event and period."""

    agency = forms.MultipleChoiceField(label="Agency", required=False, widget=forms.CheckboxSelectMultiple)
    type = forms.MultipleChoiceField(label="Type of event", required=False, widget=forms.CheckboxSelectMultiple)
    start = forms.DateField(label="From", required=False, input_formats=DATE_FORMATS,
                            help_text="For example, 1/4/2024",
                            error_messages={"invalid": "Enter the start date like 1/4/2024"})
    end = forms.DateField(label="To", required=False, input_formats=DATE_FORMATS,
                          help_text="For example, 31/3/2025",
                          error_messages={"invalid": "Enter the end date like 31/3/2025"})

    def __init__(self, *args: Any, agencies: Sequence[tuple[str, str]], types: Sequence[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]
        self.fields["type"].choices = types  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be the same as or after the start date")
        return cleaned

    def filters(self) -> ChronologyFilter:
        if not self.is_valid():
            return ChronologyFilter()
        return ChronologyFilter(frozenset(self.cleaned_data["agency"]), frozenset(self.cleaned_data["type"]),
                                self.cleaned_data["start"], self.cleaned_data["end"])


# Asking other agencies to share what they hold, and answering (lantern.web.views.sharing) ----------

class ShareRequestForm(forms.Form):
    reason = _reason_field("Why do you need what other agencies hold?",
                           "For example, the strategy discussion or enquiry it is for. The agencies that hold the "
                           "records see your name, your agency and this reason.")
    legal_basis = forms.ChoiceField(
        label="Legal basis for sharing", choices=LegalBasis.choices, widget=forms.RadioSelect,
        initial=LegalBasis.DPA_SAFEGUARDING,
        error_messages={"required": "Select the legal basis for sharing",
                        "invalid_choice": "Select the legal basis for sharing"},
    )


class ShareAnswerForm(forms.Form):
    SHARE, DECLINE = "share", "decline"

    decision = forms.ChoiceField(
        label="Will your agency share its records of this person?",
        choices=[(SHARE, "Yes, share our records"), (DECLINE, "No, do not share them")], widget=forms.RadioSelect,
        error_messages={"required": "Select whether to share your records",
                        "invalid_choice": "Select whether to share your records"},
    )
    note = _reason_field("Your note to the person who asked",
                         "Say what you shared, or why not. It is recorded with your name.")

    @property
    def share(self) -> bool:
        return bool(self.cleaned_data["decision"] == self.SHARE)
