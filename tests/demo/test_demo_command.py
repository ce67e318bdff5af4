"""`lantern demo --no-serve` generates synthetic boroughs, imports them and creates the demo users."""

import pytest
from django.core.management import call_command

from lantern.accounts.models import User
from lantern.core.access import visible_persons
from lantern.people.models import SourceRecord


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

    # A second run reuses the generated feeds and changes nothing.
    records = SourceRecord.objects.count()
    call_command("demo", "--no-serve", "--boroughs", "E09000012", "--scale", "0.05")
    assert SourceRecord.objects.count() == records
