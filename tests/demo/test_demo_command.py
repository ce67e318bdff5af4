"""`lantern demo --no-serve` generates synthetic boroughs, imports them and creates the demo users."""

import pytest
from django.core.management import call_command

from lantern.accounts.models import User
from lantern.core.access import visible_persons
from lantern.people.models import SourceRecord
from lantern.referrals.models import Contact
from lantern.safeguarding.models import Notification, Task


@pytest.mark.django_db
def test_demo_sets_up_generated_data_that_demo_users_can_see(tmp_path, settings, capsys):
    settings.DATA_DIR = tmp_path
    call_command("demo", "--no-serve", "--boroughs", "E09000012", "--scale", "0.05")

    out = capsys.readouterr().out
    assert "Demo ready" in out and "Password: lantern-demo-2026" in out
    generated = SourceRecord.objects.filter(agency__code="met").exclude(source_id__startswith="CRIS-")
    assert generated.count() > 100
    assert set(User.objects.filter(is_demo=True).values_list("username", flat=True)) == {
        "researcher", "supervisor", "investigator", "officer", "social-worker", "partner", "scrutiny", "admin"}
    researcher = User.objects.get(username="researcher")
    assert visible_persons(researcher).count() > 100
    # The MASH has the recent hand-made events' contacts; the rules ran over the generated history.
    assert Contact.objects.filter(trigger="da_child_present", subject_record__source_id="CRIS-P-100231").exists()
    assert Task.objects.filter(event__agency__code="met").exclude(event__source_id__startswith="MISPER-").exists()
    assert Notification.objects.exists()
    assert "The rules made" in out

    # A second run reuses the generated feeds and changes nothing.
    records, tasks = SourceRecord.objects.count(), Task.objects.count()
    call_command("demo", "--no-serve", "--boroughs", "E09000012", "--scale", "0.05")
    assert (SourceRecord.objects.count(), Task.objects.count()) == (records, tasks)
    assert "The rules made" not in capsys.readouterr().out
