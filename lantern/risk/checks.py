"""System checks: refuse to start with a broken risk instrument file."""

from typing import Any

from django.core.checks import Error, register

from .engine import InstrumentError, load_instruments


@register()
def instruments_load(app_configs: Any, **kwargs: Any) -> list[Error]:
    try:
        load_instruments()
    except InstrumentError as problem:
        return [Error(f"A risk instrument file is broken: {problem}",
                      hint="Fix the file named, then try it with `lantern instruments score`.", id="lantern.E020")]
    return []
