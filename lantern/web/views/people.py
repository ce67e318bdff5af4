"""The person page: reached only through the access checkpoint."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lantern.core.access import MIN_REASON_LENGTH, ReasonRequired, access_person_by_reference
from lantern.core.references import normalise_reference


class FindByReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Person reference", help_text="For example, HXK4-RM7J", max_length=20,
        error_messages={"required": "Enter a person reference"},
    )

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(
                "Enter a person reference as 8 letters and numbers, like HXK4-RM7J"
            )
        return reference


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see these records?",
        help_text="Your reason is recorded with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=MIN_REASON_LENGTH,
        error_messages={
            "required": "Enter why you need to see these records",
            "min_length": f"Your reason must be at least {MIN_REASON_LENGTH} characters",
        },
    )


def find_by_reference(request: HttpRequest) -> HttpResponse:
    form = FindByReferenceForm(request.GET or None)
    if form.is_valid():
        return redirect("web:person", reference=form.cleaned_data["reference"])
    return render(request, "people/find.html", {"form": form})


def person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    reason_form = ReasonForm(request.POST or None)
    reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
    try:
        access = access_person_by_reference(request.user, reference, reason=reason)
    except ReasonRequired:
        return render(request, "people/reason.html", {"form": reason_form, "reference": reference},
                      status=403 if request.method == "POST" and not reason else 200)
    return render(request, "people/person.html", {"access": access})
