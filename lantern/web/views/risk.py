"""Recording a risk assessment with a configured instrument, and reading one back.

The form is built from the instrument file; the engine (through the service) decides every
score, grade, referral and refusal, so the page only shows what it says.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from lantern.core.access import PersonAccess
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.risk import engine
from lantern.risk.engine import ASKABLE, AssessmentContext, Instrument
from lantern.risk.selectors import assessment_context, assessment_for, instrument_of
from lantern.risk.services import assessment_record

# Reached through the person page's own opening, so a reason given for restricted records
# there (or here) is asked for once and kept for the visit.
from .people import AskForReason, open_person

YES, NO = "yes", "no"
CONTACT_MAX = 40


class ChooseInstrumentForm(forms.Form):
    instrument = forms.ChoiceField(
        label="Which assessment?", widget=forms.RadioSelect,
        error_messages={"required": "Select an assessment", "invalid_choice": "Select an assessment"},
    )

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(i.code, i.name) for i in instruments]  # type: ignore[attr-defined]


class AssessmentForm(forms.Form):
    """One set of radios per question, the facts only the assessor knows, and the grade if theirs to choose."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        options = [(o.value, o.label) for o in instrument.options]
        # The engine says what is missing or wrong, in the same words everywhere: fields are optional here.
        for question in instrument.questions:
            self.fields[question.id] = forms.ChoiceField(
                label=f"{question.number}. {question.text}", help_text=question.hint, choices=options,
                required=False, widget=forms.RadioSelect)
        for name in instrument.asks:
            asked = ASKABLE[name]
            self.fields[f"context_{name}"] = forms.ChoiceField(
                label=asked.label, help_text=asked.hint, choices=[(YES, "Yes"), (NO, "No")], widget=forms.RadioSelect,
                error_messages={"required": f"Select yes or no: {asked.label[0].lower()}{asked.label[1:]}"})
        if instrument.assessor_grades:
            self.fields["grade"] = forms.ChoiceField(
                label="Your grade", choices=[(g.code, g.label) for g in instrument.grades], required=False,
                widget=forms.RadioSelect)
        needs = [instrument.grade_label(g) for g in instrument.rationale_grades]
        self.fields["rationale"] = forms.CharField(
            label="Your rationale", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
            help_text=("Why you chose this grade." + (f" Needed for {', '.join(needs)}." if needs else ""))
            if instrument.assessor_grades else "Anything the answers do not show. Optional.")
        self.fields["contact"] = forms.CharField(required=False, max_length=CONTACT_MAX, widget=forms.HiddenInput)

    def sections(self) -> list[tuple[engine.Section | None, list[forms.BoundField]]]:
        return [(section, [self[q.id] for q in questions])
                for section, questions in self.instrument.questions_by_section()]

    def context_fields(self) -> list[forms.BoundField]:
        return [self[f"context_{name}"] for name in self.instrument.asks]

    def context(self, derived: AssessmentContext) -> AssessmentContext:
        given = {name: self.cleaned_data[f"context_{name}"] == YES for name in self.instrument.asks}
        return AssessmentContext(**(derived.as_dict() | given))

    def answers(self) -> dict[str, str]:
        return {q.id: self.cleaned_data[q.id] for q in self.instrument.questions if self.cleaned_data.get(q.id)}

    def show_problems(self, problem: ValidationError) -> None:
        for field, messages_ in problem.message_dict.items():
            for message in messages_:
                self.add_error(field if field in self.fields else None, message)


def _contact(request: HttpRequest) -> str:
    return request.GET.get("contact", "").strip()[:CONTACT_MAX]


def _assessable(request: HttpRequest, reference: str) -> PersonAccess:
    access = open_person(request, reference)
    if access.pseudonymised:
        raise PermissionDenied("The scrutiny panel reads assessments; it does not make them")
    return access


def assess(request: HttpRequest, reference: str) -> HttpResponse:
    """Choose which instrument to assess the person with."""
    try:
        access = _assessable(request, reference)
    except AskForReason as ask:
        return ask.response
    submitted = request.method == "POST" and "reason" not in request.POST
    form = ChooseInstrumentForm(request.POST if submitted else None, instruments=engine.live_instruments())
    if form.is_valid():
        url = reverse("web:risk-assess-with", args=[access.person.reference, form.cleaned_data["instrument"]])
        contact = request.POST.get("contact", "").strip()[:CONTACT_MAX]
        return redirect(url + (f"?{urlencode({'contact': contact})}" if contact else ""))
    return render(request, "risk/choose.html", {"access": access, "form": form, "contact": _contact(request),
                                                "instruments": engine.live_instruments()},
                  status=400 if form.errors else 200)


def assess_with(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    """Answer an instrument's questions about the person and record the assessment."""
    try:
        access = _assessable(request, reference)
    except AskForReason as ask:
        return ask.response
    try:
        chosen = engine.instrument(code)
    except engine.UnknownInstrument:
        raise Http404("No such instrument") from None
    derived = assessment_context(access.person, timezone.localdate(), user=request.user)
    submitted = request.method == "POST" and "reason" not in request.POST
    form = AssessmentForm(request.POST if submitted else None, instrument=chosen,
                          initial={"contact": _contact(request)})
    if form.is_valid():
        try:
            assessment = assessment_record(
                person=access.person, instrument_code=chosen.code, answers=form.answers(),
                context=form.context(derived), actor=request.user, chosen_grade=form.cleaned_data.get("grade"),
                rationale=form.cleaned_data["rationale"], contact_reference=form.cleaned_data["contact"])
        except ValidationError as problem:
            form.show_problems(problem)
        else:
            messages.success(request, f"Assessment recorded: {chosen.grade_label(assessment.grade)}."
                                      + (f" {len(assessment.referrals)} referral"
                                         f"{'s' if len(assessment.referrals) != 1 else ''} triggered."
                                         if assessment.referrals else ""))
            return redirect("web:risk-assessment", reference=access.person.reference, assessment_id=assessment.pk)
    return render(request, "risk/assess.html", {
        "access": access, "instrument": chosen, "form": form, "derived": derived,
        "contact": form["contact"].value() or "",
    }, status=400 if form.errors else 200)


def assessment(request: HttpRequest, reference: str, assessment_id: int) -> HttpResponse:
    """Show one recorded assessment, as it was made."""
    try:
        access = open_person(request, reference)
    except AskForReason as ask:
        return ask.response
    found = assessment_for(request.user, access.person, assessment_id)
    if found is None:
        raise Http404("No such assessment")
    audit_write(actor=request.user, verb=AuditVerb.RISK_VIEW, target=found,
                payload={"person": access.person.reference, "pseudonymised": access.pseudonymised})
    used = instrument_of(found)
    answers: list[tuple[str, list[tuple[str, str]]]] = []
    if used is not None:
        for section, questions in used.questions_by_section():
            answers.append((section.label if section else "", [
                (f"{q.number}. {q.text}", used.option_label(found.answers.get(q.id, ""))) for q in questions]))
    else:
        answers.append(("", [(question_id, value) for question_id, value in found.answers.items()]))
    return render(request, "risk/assessment.html", {
        "access": access, "assessment": found, "instrument": used, "answers": answers,
        "grade_label": used.grade_label(found.grade) if used else found.grade,
        "section_scores": [(used.section_label(k) if used else k, v) for k, v in found.section_scores.items()],
        "changed_since": used is not None and used.digest != found.instrument_digest,
        "context": _context_rows(found.context),
    })


CONTEXT_LABELS = {
    "age": "Age", "learning_disability": "Learning disability", "exploitation_marker": "Exploitation marker",
    "da_incidents_12_months": "Domestic abuse incidents as victim in the last 12 months",
    "marac_referral_within_12_months": "Referred to the MARAC in the last 12 months",
    "charged": "Charged", "bail_refused": "Bail refused",
}


def _context_rows(context: dict[str, Any]) -> list[tuple[str, str]]:
    def shown(value: Any) -> str:
        return "Not known" if value is None else ("Yes" if value is True else "No" if value is False else str(value))
    return [(CONTEXT_LABELS.get(name, name), shown(value)) for name, value in context.items()]
