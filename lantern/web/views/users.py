"""User management for system administrators (who see no case data)."""

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from lantern.accounts.models import User
from lantern.accounts.services import ACCOUNT_FIELDS, user_create, user_update

ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


def administrators_only(view: Callable[..., ResponseT]) -> Callable[..., ResponseT]:
    """Refuse (403) anyone but an active system administrator."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> ResponseT:
        if not getattr(request.user, "manages_users", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


class AccountForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = list(ACCOUNT_FIELDS)
        labels = {"is_active": "Can sign in", "email": "Email address"}
        help_texts = {
            "username": "Letters, numbers and @ . + - _ only",
            "borough": "Leave empty only for London-wide roles (investigators, scrutiny panel)",
            "is_active": "Untick to stop this person signing in. Accounts are never deleted.",
        }


class NewAccountForm(AccountForm):
    password = forms.CharField(
        label="First password", widget=forms.PasswordInput(render_value=False),
        help_text="At least 12 characters. Give it to the person by a separate, secure route.",
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


@administrators_only
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("agency", "borough").order_by("username")
    return render(request, "users/list.html", {"users": users})


@administrators_only
def user_new(request: HttpRequest) -> HttpResponse:
    form = NewAccountForm(request.POST or None)
    if form.is_valid():
        fields = {f: form.cleaned_data[f] for f in ACCOUNT_FIELDS}
        user = user_create(actor=request.user, password=form.cleaned_data["password"], **fields)
        messages.success(request, f"Account {user.username} created")
        return redirect("web:users")
    return render(request, "users/form.html", {"form": form, "title": "Add a user"})


@administrators_only
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    # Validating a ModelForm writes the new values onto its instance; give it a copy so the
    # service still sees the account as it was and can record what changed.
    form = AccountForm(request.POST or None, instance=copy.copy(account))
    if form.is_valid():
        try:
            user_update(actor=request.user, user=account,
                        **{f: form.cleaned_data[f] for f in ACCOUNT_FIELDS})
        except PermissionDenied as refused:
            form.add_error("role", str(refused))
        else:
            messages.success(request, f"Account {account.username} updated")
            return redirect("web:users")
    return render(request, "users/form.html", {"form": form, "title": f"Change {account.username}"})
