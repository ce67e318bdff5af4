"""One change to a record from the version the user saw, shared by the MASH, task and investigation pages."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lantern.core.versioning import EditConflict
from lantern.web.front_door_forms import add_service_errors


def versioned_change(request: HttpRequest, target: Any, form: Any, save: Callable[[dict[str, Any]], Any], *,
                     title: str, done: str, template: str, name: str,
                     next_url: Callable[[Any], str]) -> HttpResponse:
    """Save one change, or show why not, keeping what the user typed.

    A change made from a stale version is refused with HTTP 409 naming who changed it; the
    form keeps the user's input and moves to the current version, so saving again is a
    deliberate choice. `template` shows `target` under `name`, with the form and `title`.
    """
    conflict = ""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except EditConflict as clash:
            conflict, target = str(clash), clash.current
            form.data = form.data.copy()
            form.data["version"] = str(target.version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(next_url(target))
    return render(request, template, {name: target, "form": form, "title": title, "conflict": conflict},
                  status=409 if conflict else 400 if form.errors else 200)
