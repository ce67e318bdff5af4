"""One synthetic borough's year, replayed through the rules: the count per rule, and never twice.

The generator (lantern.intake.generator) writes a year of Hackney at 0.3 scale from every
agency. Every rule's facts occur in it, so each rule fires; running the replay again, or
importing the same feeds again, fires nothing new.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lantern.intake.generator import generate
from lantern.intake.importer import import_paths
from lantern.linkage.services import link_all
from lantern.referrals.models import Contact
from lantern.safeguarding.engine import rules_replay, rules_run_scheduled
from lantern.safeguarding.models import Notification, RuleFiring, Task
from lantern.safeguarding.rules import RULES

# Rules whose facts the generator makes rare enough that one small borough-year may lack them.
RARE = {"child_death_homicide", "fgm_sisters", "rso_child_address"}


@pytest.fixture(scope="module")
def borough_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hackney-year")
    generate(out, years=1, scale=0.3, boroughs="E09000012", seed=5, workers=1)
    return out


def _counts() -> tuple[int, int, int, int]:
    return RuleFiring.objects.count(), Task.objects.count(), Notification.objects.count(), Contact.objects.count()


@pytest.mark.django_db(transaction=False)
def test_a_borough_year_raises_the_right_tasks_and_notifications(borough_year: Path) -> None:
    import_paths([borough_year], workers=1)
    # As in use: import, link the records into persons (`lantern link`), then replay the rules.
    link_all()
    report = rules_replay(now=datetime(2026, 4, 1, tzinfo=UTC))
    print(f"\nReplayed {report.events} events in {report.seconds:.1f}s "
          f"({report.events / max(report.seconds, 1e-9):.0f} events/s):")
    for rule in RULES:
        print(f"  {rule.code:24} {report.fired[rule.code]}")
    print(f"  tasks {report.tasks}, notifications {report.notifications}, contacts {report.contacts}")
    for rule in RULES:
        if rule.code not in RARE:
            assert report.fired[rule.code] > 0, rule.code
    # Plausible shape: every DA incident's school-age children, more than there are MARAC referrals.
    assert report.fired["operation_encompass"] > report.fired["marac_referral"] / 2
    assert report.fired["return_interview"] > report.fired["exploitation_screening"]
    assert report.fired["custody_la"] >= report.fired["pace_transfer"]
    assert report.fired["child_death_review"] >= report.fired["child_death_homicide"]
    before = _counts()
    assert sum(rules_replay(now=datetime(2026, 4, 1, tzinfo=UTC)).fired.values()) == 0
    import_paths([borough_year], workers=1)
    assert _counts() == before
    scheduled = rules_run_scheduled(datetime(2026, 4, 1, 9, tzinfo=UTC))
    print(f"  scheduled run at the year's end: {dict(scheduled.fired)}; escalated {scheduled.escalated_tasks} "
          f"overdue task(s), {scheduled.escalated_notifications} unread notification(s)")
    assert scheduled.escalated_notifications > 0
