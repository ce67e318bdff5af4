"""Forms at the front door: contacts from officers, partners and the public; triage; answers; decisions."""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import get_random_string

from lantern.accounts.models import User
from lantern.core.access import MIN_REASON_LENGTH
from lantern.organisations.models import Agency
from lantern.people.models import Sex
from lantern.referrals.models import Outcome, PartnerRole, Rating
from lantern.referrals.services import EDITABLE_FIELDS, AgreedAction

from .forms import DATE_FORMATS, _partial_date, _reason_field

MOMENT_FORMATS = ["%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M", "%d %m %Y %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H.%M"]


def _text(label: str, help_text: str = "", *, required: bool = True, rows: int = 5, message: str = "",
          max_length: int = 5000) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": message or f"Enter {label.lower()}",
                                           "max_length": f"Keep this under {max_length} characters"})


# Who the contact is about (each page of the officer's form is one question) --------------------

class PersonDetailsForm(forms.Form):
    """Who the child or adult is."""

    given_names = forms.CharField(label="First name, or what they are known as", max_length=200,
                                  error_messages={"required": "Enter their first name, or what they are known as"})
    family_name = forms.CharField(label="Last name", max_length=200, required=False,
                                  help_text="Leave this blank if you do not know it")
    date_of_birth = forms.CharField(label="Date of birth", required=False, max_length=30,
                                    help_text="For example, 27/3/2012, or a month and year, or just the year")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect, initial=Sex.UNKNOWN,
                            required=False)

    def clean_date_of_birth(self) -> str:
        text = self.cleaned_data["date_of_birth"].strip()
        if not text:
            return ""
        year, month, day = _partial_date(text)
        return "-".join(f"{part:02d}" if i else str(part) for i, part in enumerate((year, month, day)) if part)


class HomeAddressForm(forms.Form):
    """Where the child or adult lives."""

    address_line1 = forms.CharField(label="House number and street", max_length=200, required=False)
    postcode = forms.CharField(label="Postcode", max_length=8, required=False,
                               help_text="We use it to send this to the right borough's MASH")

    def clean_postcode(self) -> str:
        return full_postcode(self.cleaned_data["postcode"])


def full_postcode(text: str) -> str:
    """Return a typed postcode in its usual form ('E8 1DY'); refuse anything that is not a full postcode."""
    compact = "".join(text.upper().split())
    if compact and not (compact.isalnum() and 5 <= len(compact) <= 7 and compact[0].isalpha()):
        raise forms.ValidationError("Enter a full postcode, like E8 1DY")
    return f"{compact[:-3]} {compact[-3:]}" if compact else ""


def subject_from(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Return the person the forms describe, in the interchange format."""
    address = {"line1": cleaned.get("address_line1", ""), "postcode": cleaned.get("postcode", "")}
    return {
        "given_names": cleaned.get("given_names", "").strip(), "family_name": cleaned.get("family_name", "").strip(),
        "date_of_birth": cleaned.get("date_of_birth") or None, "sex": cleaned.get("sex") or Sex.UNKNOWN,
        "address": address if any(address.values()) else None,
    }


class PlaceForm(forms.Form):
    """Where and when it happened."""

    location = forms.CharField(label="Where did it happen?", max_length=300,
                               help_text="An address or a description, like 'bus stop outside 12 Mare Street'",
                               error_messages={"required": "Enter where it happened"})
    location_postcode = forms.CharField(label="Postcode of the place, if you know it", max_length=8, required=False)
    occurred_at = forms.DateTimeField(label="When did it happen?", required=False, input_formats=MOMENT_FORMATS,
                                      help_text="For example, 21/11/2026 14:30. Leave blank if it is happening now.",
                                      error_messages={"invalid": "Enter the date and time like 21/11/2026 14:30"})

    def clean_location_postcode(self) -> str:
        return full_postcode(self.cleaned_data["location_postcode"])

    def clean_occurred_at(self) -> datetime | None:
        moment: datetime | None = self.cleaned_data["occurred_at"]
        if moment is not None and moment > timezone.now():
            raise forms.ValidationError("The time it happened must not be in the future")
        return moment


class WhatHappenedForm(forms.Form):
    what_happened = _text("Describe what happened", "Say what you saw and heard, and what the child or adult said.",
                          message="Say what happened")


class RiskConsiderationForm(forms.Form):
    risk_consideration = forms.CharField(
        label="Your risk consideration",
        help_text="Think about violence, abuse, neglect, exploitation and radicalisation, now and in the coming days. "
                  "This is mandatory for every child or adult at risk you meet.",
        widget=forms.Textarea(attrs={"rows": 6}), min_length=MIN_REASON_LENGTH, max_length=5000,
        error_messages={"required": "Record your consideration of the risks to them",
                        "min_length": f"Write at least {MIN_REASON_LENGTH} characters about the risks"},
    )


class ActionTakenForm(forms.Form):
    action_taken = _text("Describe the action you took",
                         "For example, took them to a place of safety, used police protection powers, called an "
                         "ambulance, or gave advice. Say if you took none, and why.",
                         message="Say what action you took, even if none")


# The officer's form, one question per page: (slug, question, form class).
OFFICER_STEPS: tuple[tuple[str, str, type[forms.Form]], ...] = (
    ("who", "Who is the child or adult?", PersonDetailsForm),
    ("home", "Where do they live?", HomeAddressForm),
    ("place", "Where and when did it happen?", PlaceForm),
    ("what", "What happened?", WhatHappenedForm),
    ("risk", "What are the risks to their safety?", RiskConsiderationForm),
    ("action", "What action did you take?", ActionTakenForm),
)


class PartnerReferralForm(PersonDetailsForm, HomeAddressForm):
    """A referral from a school, GP, health visitor, social worker or probation officer."""

    reporter_role = forms.ChoiceField(label="Your role", choices=PartnerRole.choices, widget=forms.RadioSelect,
                                      error_messages={"required": "Select your role",
                                                      "invalid_choice": "Select your role"})
    what_happened = _text("What is your concern?", "What you have seen, heard or been told, and when.",
                          message="Describe your concern")
    action_taken = _text("What have you done so far?", "For example, spoke to the child, told the parents, "
                         "gave first aid. Say if you have done nothing yet.", required=False, rows=3)
    parents_aware = forms.ChoiceField(
        label="Do the parents or carers know about this referral?", widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No"), ("unsafe", "No: telling them could put the child at risk")],
        error_messages={"required": "Say whether the parents or carers know",
                        "invalid_choice": "Say whether the parents or carers know"})


class PublicConcernForm(PersonDetailsForm):
    """A member of the public's concern about a child: no sign-in, and nothing about anyone is shown back."""

    given_names = forms.CharField(label="The child's first name, or what they are called", max_length=200,
                                  error_messages={"required": "Enter the child's first name, or what they are called"})
    where = forms.CharField(label="Where can the child be found?", max_length=300,
                            help_text="Their address, or where they usually are (a school, a park, a shop)",
                            error_messages={"required": "Tell us where the child can be found"})
    postcode = forms.CharField(label="Postcode, if you know it", max_length=8, required=False)
    what_happened = _text("What are you worried about?", "Tell us what you have seen or heard, and when.",
                          message="Tell us what you are worried about", rows=8)
    reporter_name = forms.CharField(label="Your name (optional)", max_length=200, required=False,
                                    help_text="You can stay anonymous")
    reporter_contact = forms.CharField(label="Your phone number or email (optional)", max_length=200, required=False,
                                       help_text="So a social worker can call you back if they need to know more")
    # Spam resistance: a field people never see (bots fill it in) and a signed start time (bots post at once).
    website = forms.CharField(required=False, label="Leave this blank")
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    MIN_SECONDS = 3
    MAX_AGE = 6 * 60 * 60
    signer = signing.TimestampSigner(salt="lantern.public-concern")

    def clean_postcode(self) -> str:
        return full_postcode(self.cleaned_data["postcode"])

    @classmethod
    def fresh_token(cls) -> str:
        return cls.signer.sign(get_random_string(16))

    def clean(self) -> dict[str, Any]:
        # The start time is a hidden field: its problems belong to the form, where the reader sees them.
        cleaned = super().clean() or {}
        try:
            self.signer.unsign(cleaned.get("started", ""), max_age=self.MAX_AGE)
        except signing.SignatureExpired:
            self.add_error(None, "This form was open too long: please check it and send it again")
        except signing.BadSignature:
            self.add_error(None, "Something went wrong with this form: please check it and send it again")
        return cleaned

    def looks_automated(self) -> bool:
        """Return whether a bot sent this: the hidden field filled in, or sent faster than anyone types."""
        if self.cleaned_data.get("website"):
            return True
        token = self.cleaned_data.get("started", "")
        try:
            self.signer.unsign(token, max_age=self.MIN_SECONDS)
        except signing.SignatureExpired:
            return False
        except signing.BadSignature:
            return True
        return True


# Triage --------------------------------------------------------------------------------------------

class VersionedForm(forms.Form):
    """A change to a contact, made from the version the user saw (see lantern.referrals.services.EditConflict)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


RATING_HINTS = {
    Rating.RED: "Immediate risk of significant harm",
    Rating.AMBER: "Risk of significant harm, not immediate",
    Rating.GREEN: "Needs a service, no immediate risk",
    Rating.BLUE: "Information only, or below the threshold for children's social care",
}


class RatingForm(VersionedForm):
    rating = forms.ChoiceField(label="Rating", choices=[(r.value, f"{r.label}: {RATING_HINTS[r]}") for r in Rating],
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select a rating", "invalid_choice": "Select a rating"})
    reason = _reason_field("Why this rating?", "Your reason is recorded with your name and the time.")


class AllocateForm(VersionedForm):
    researcher = forms.ModelChoiceField(label="Allocate to", queryset=User.objects.none(), empty_label=None,
                                        error_messages={"required": "Choose who to allocate it to",
                                                        "invalid_choice": "Choose someone in this MASH"})

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["researcher"]
        field.queryset = User.objects.filter(pk__in=[u.pk for u in staff]).order_by("first_name", "last_name")
        field.label_from_instance = lambda user: f"{user.get_full_name() or user.username} ({user.role_label})"


class ContactEditForm(VersionedForm):
    what_happened = _text("What happened", rows=5, message="Say what happened")
    risk_consideration = _text("The reporter's risk consideration", required=False, rows=4)
    action_taken = _text("Action taken", required=False, rows=3)
    screening_notes = _text("Screening notes", "What you found in the records, and from whom.",
                            required=False, rows=8)

    def changes(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class InformationRequestForm(forms.Form):
    agency = forms.ModelChoiceField(label="Agency to ask", queryset=Agency.objects.none(),
                                    error_messages={"required": "Choose the agency to ask",
                                                    "invalid_choice": "Choose a partner agency for this borough"})
    question = _reason_field("What do you need to know?",
                             "The agency sees the person's name, date of birth and address, and this question only.")

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["agency"]
        field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")


class AnswerForm(forms.Form):
    answer = _text("What does your agency hold?",
                   "What you know about the child and family that bears on their safety. If you hold nothing, say so.",
                   message="Enter what your agency holds, or say that it holds nothing", rows=8)
    agree_wider_use = forms.BooleanField(
        label="My agency agrees to this answer being shared beyond the MASH", required=False,
        help_text="Leave this unticked and your answer stays inside the MASH. You can agree later.")


class DecisionForm(VersionedForm):
    outcome = forms.ChoiceField(label="Decision", choices=Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Select the decision",
                                                "invalid_choice": "Select the decision"})
    reasons = _reason_field("Reasons for the decision", "Your reasons are recorded with your name and the time.")
    agencies_told = forms.ModelMultipleChoiceField(label="Agencies told about the decision", required=False,
                                                   queryset=Agency.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["agencies_told"]
        field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")


class StrategyDiscussionForm(forms.Form):
    held_at = forms.DateTimeField(label="When was it held?", input_formats=MOMENT_FORMATS,
                                  help_text="For example, 21/11/2026 14:30",
                                  error_messages={"required": "Enter when the discussion was held",
                                                  "invalid": "Enter the date and time like 21/11/2026 14:30"})
    attendees = _text("Who attended?", "One person a line: their name, a comma, then their agency. For example: "
                      "Amira Haddad, Hackney Children's Social Care", rows=5, message="List who attended")
    decision = _text("What was decided?", "For example, a section 47 enquiry, led by children's social care, "
                     "with a joint visit by police.", message="Enter what was decided")
    actions = _text("Actions agreed", "One action a line: the action | its owner | their agency | due date. "
                    "For example: Joint visit to the child | DC Hughes | Metropolitan Police | 24/11/2026",
                    required=False, rows=5)

    def clean_attendees(self) -> list[dict[str, str]]:
        attendees = []
        for number, line in enumerate(self.cleaned_data["attendees"].splitlines(), start=1):
            if not line.strip():
                continue
            name, comma, agency = line.partition(",")
            if not comma or not name.strip() or not agency.strip():
                raise forms.ValidationError(f"Line {number}: write the name, a comma, then the agency")
            attendees.append({"name": name.strip(), "agency": agency.strip()})
        return attendees

    def clean_actions(self) -> list[AgreedAction]:
        actions = []
        for number, line in enumerate(self.cleaned_data["actions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 4 or not all(parts):
                raise forms.ValidationError(f"Line {number}: write the action | owner | agency | due date")
            due = _date(parts[3])
            if due is None:
                raise forms.ValidationError(f"Line {number}: write the due date like 24/11/2026")
            actions.append(AgreedAction(action=parts[0], owner=parts[1], owner_agency=parts[2], due_on=due))
        return actions


def _date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007  # a date, not a moment
        except ValueError:
            continue
    return None


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names where the form has it, else on the form."""
    named = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
    for name, problems in named:
        field = name.removeprefix("subject ")
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
