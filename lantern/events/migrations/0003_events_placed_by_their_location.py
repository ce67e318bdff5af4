"""Place in a borough the events that came without one but with a location in London.

Lantern now counts an event in the borough its location's postcode lies mostly in when the
feed gives no borough (lantern.intake.parsing); this does the same for events already
stored, so that the borough figures need no re-import. An event's content hash is of what
the feed sent, so nothing about it looks changed when the feed sends it again.
"""

from collections import defaultdict

from django.db import migrations

BATCH = 5_000


def place_events(apps, schema_editor):
    from lantern.organisations.selectors import ons_code_for_postcode

    Borough = apps.get_model("organisations", "Borough")
    Event = apps.get_model("events", "Event")
    borough_ids = dict(Borough.objects.values_list("ons_code", "id"))
    unplaced = (Event.objects.filter(borough__isnull=True, location__isnull=False)
                .values_list("id", "location__postcode").iterator(chunk_size=BATCH))
    by_borough: dict[int, list[int]] = defaultdict(list)
    for pk, postcode in unplaced:
        code = ons_code_for_postcode(postcode or "")
        if code in borough_ids:
            by_borough[borough_ids[code]].append(pk)
    for borough_id, pks in by_borough.items():
        for start in range(0, len(pks), BATCH):
            Event.objects.filter(pk__in=pks[start:start + BATCH]).update(borough_id=borough_id)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_choices_checked_by_equalities"),
        ("organisations", "0002_london_boroughs"),
    ]
    # Going back leaves the boroughs in place: they are what the location says either way.
    operations = [migrations.RunPython(place_events, migrations.RunPython.noop)]
