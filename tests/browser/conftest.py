"""Fixtures for the browser tests: Debian's Chromium, demo data, and page checks."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import ConsoleMessage, Page, Response

# WCAG 2.2 level AA, as the Public Sector Bodies Accessibility Regulations expect.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]



@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Drive Debian's Chromium: Playwright's own browsers cannot be downloaded here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def demo_data(london_boroughs: None) -> dict[str, int]:
    """Load the demo data set, so the users and people of `lantern demo` exist (the live
    server needs committed data, so these tests are transactional)."""
    from lantern.demo.data import load_demo_data

    return load_demo_data()


@pytest.fixture
def password() -> str:
    """Return the demo users' password."""
    return settings.LANTERN_DEMO_PASSWORD


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config) -> Path:
    """Return test-results/screenshots (under pytest-playwright's --output folder)."""
    folder = Path(pytestconfig.getoption("--output")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_problems(page: Page) -> dict[str, list[str]]:
    """Collect console errors, uncaught exceptions and failed requests (not the page itself).

    A refusal by the Content Security Policy shows up here as a console error.
    """
    problems: dict[str, list[str]] = {"errors": []}

    def on_console(message: ConsoleMessage) -> None:
        # Failed requests are caught below, with their address.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems["errors"].append(f"console: {message.text} ({message.location['url']})")

    def on_response(response: Response) -> None:
        if response.ok or response.request.is_navigation_request():
            return
        problems["errors"].append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems["errors"].append(f"uncaught: {error}"))
    page.on("response", on_response)
    return problems


@pytest.fixture
def sign_in(page: Page, live_server: Any, password: str) -> Callable[..., None]:
    """Return a function that signs in through the sign-in form."""

    def sign_in_as(username: str, secret: str | None = None) -> None:
        page.goto(f"{live_server.url}/sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password if secret is None else secret)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in_as


@pytest.fixture
def check_page(
    page: Page, screenshot_dir: Path, browser_problems: dict[str, list[str]]
) -> Callable[[str], None]:
    """Return a function that checks the page looks right and is accessible.

    It saves a screenshot, checks the stylesheets really loaded (so a broken static-files
    set-up fails the test rather than passing on an unstyled page), that no script, style
    or request failed, and that axe-core finds no WCAG 2.2 AA violation.
    """
    axe = Axe()

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)

        stylesheets = page.evaluate(
            """() => [...document.querySelectorAll('link[rel=stylesheet]')].map(link => ({
                href: link.href,
                rules: link.sheet ? link.sheet.cssRules.length : 0,
            }))"""
        )
        assert len(stylesheets) >= 3, f"{name}: expected GOV.UK, MOJ and Lantern stylesheets"
        empty = [sheet["href"] for sheet in stylesheets if sheet["rules"] == 0]
        assert not empty, f"{name}: stylesheets did not load: {empty}"
        header_background = page.evaluate(
            "() => getComputedStyle(document.querySelector('.govuk-header')).backgroundColor"
        )
        assert header_background not in ("", "transparent", "rgba(0, 0, 0, 0)"), (
            f"{name}: the GOV.UK header has no background colour, so its styles did not apply"
        )
        errors = list(browser_problems["errors"])
        for found in browser_problems.values():
            found.clear()
        assert not errors, f"{name}: problems in the browser:\n" + "\n".join(errors)

        results = axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA},
                           "resultTypes": ["violations"]},
        )
        assert results.violations_count == 0, f"{name}: {results.generate_report()}"

    return check
