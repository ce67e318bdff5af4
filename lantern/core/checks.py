"""System checks: warn when the GOV.UK Frontend files have not been vendored."""

from typing import Any

from django.core.checks import Warning, register

from lantern.web.static_files import VENDOR_DIR


@register()
def frontend_vendored(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if (VENDOR_DIR / "govuk" / "govuk-frontend.min.css").is_file():
        return []
    return [Warning(
        "GOV.UK Frontend is not vendored, so pages will have no styles.",
        hint="Run scripts/vendor-frontend.sh (it needs npm), then reinstall.",
        id="lantern.W001",
    )]
