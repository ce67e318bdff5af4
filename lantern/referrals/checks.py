"""System check: the clock settings must all be durations Lantern can count."""

from typing import Any

from django.core.checks import Error, register

from .clocks import clock_setting_errors


@register()
def clock_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    return [Error(problem, hint="Write durations such as '4 working hours', '72 hours' or '1 working day'.",
                  id="lantern.E010") for problem in clock_setting_errors()]
