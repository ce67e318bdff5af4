"""Tasks and notifications in a real browser: an investigator works a task a rule raised and sees
why; the school's safeguarding lead reads an Operation Encompass notice, which records its
delivery; the supervisor sees the workload. Every page is checked with axe-core."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lantern.accounts.models import User
from lantern.organisations.models import Agency, Borough
from lantern.people.models import SourceRecord
from lantern.safeguarding.models import Notification, NotificationStatus, RuleFiring, Task, TaskStatus

pytestmark = pytest.mark.browser

Check = Callable[[str], None]
SignIn = Callable[..., None]


def _raised_by_a_rule() -> tuple[Task, Notification]:
    """A task a rule raised, and the Operation Encompass notice the rules sent the school after the
    demo's recent domestic abuse incident at Leah's home."""
    now = timezone.now()
    hackney = Borough.objects.get(ons_code="E09000012")
    leah = SourceRecord.objects.get(source_id="CRIS-P-100231").person
    firing = RuleFiring.objects.create(
        rule="marac_referral", rule_version="1", facts_key="e" * 64, fired_at=now, borough=hackney,
        person=leah, explanation="A domestic abuse incident at Leah's home assessed as high risk; she is of "
                                 "school age and attends Mossbourne Community Academy.")
    task = Task.objects.create(kind="marac_referral", title="Refer the victim to MARAC", firing=firing, person=leah,
                               borough=hackney, owner_agency=Agency.objects.get(code="met"),
                               owner_team="Community safety unit", due_at=now + timedelta(hours=6), created_at=now,
                               updated_at=now)
    note = Notification.objects.get(kind="operation_encompass", person=leah)
    assert note.status == NotificationStatus.SENT
    return task, note


def test_a_task_is_worked_and_a_notification_read(
        page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check) -> None:
    task, note = _raised_by_a_rule()
    sign_in("investigator")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Tasks").click()
    page.get_by_role("link", name="My team's").click()
    expect(page.get_by_role("row", name=re.compile("Refer the victim to MARAC"))).to_contain_text("Not allocated")
    check_page("tasks-team")
    page.get_by_role("link", name="Refer the victim to MARAC").click()
    page.get_by_text("Why am I seeing this?").click()
    expect(page.locator("main")).to_contain_text("she is of school age")
    check_page("task")
    page.get_by_role("link", name="Allocate").click()
    page.get_by_label("Give it to").select_option(label="Grace Hughes (Safeguarding investigator)")
    check_page("task-allocate")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("The task is allocated")
    page.get_by_role("link", name="Mark as done").click()
    page.get_by_label("What was done?").fill("Referred to the Hackney MARAC for 2 December")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Referred to the Hackney MARAC")
    check_page("task-done")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Workload").click()
    expect(page.get_by_role("table", name="Your team")).to_contain_text("Grace Hughes")
    check_page("workload")
    page.get_by_role("button", name="Sign out").click()

    sign_in("partner")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Notifications").click()
    check_page("notifications")
    page.get_by_role("link", name="Operation Encompass: Leah Morgan").click()
    expect(page.locator("main")).to_contain_text("Leah said she hid with her brother")
    expect(page.locator("main")).to_contain_text("Received and read")
    check_page("notification")
    read = Notification.objects.get(pk=note.pk)
    assert read.status == NotificationStatus.READ and read.read_by == User.objects.get(username="partner")
