"""Migration events.0003 places in a borough the stored events that came with a location but no borough."""

import pytest

from lantern.events.models import Event
from lantern.people.models import Address
from tests.factories import EventFactory, borough
from tests.migrating import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("events", "0002_choices_checked_by_equalities")]
AFTER = [("events", "0003_events_placed_by_their_location")]


def place(postcode: str, key: str) -> Address:
    return Address.objects.create(line1="1 Somewhere", town="London", postcode=postcode, match_key=key)


def test_events_with_a_london_location_and_no_borough_are_placed_by_its_postcode(london_boroughs):
    migrate(BEFORE)
    try:
        clapton, oxford = place("E5 8HP", "clapton"), place("OX1 1AA", "oxford")
        EventFactory(source_id="unplaced", borough=None, location=clapton)
        EventFactory(source_id="given", borough=borough("E09000001"), location=clapton)
        EventFactory(source_id="outside", borough=None, location=oxford)
        EventFactory(source_id="nowhere", borough=None, location=None)
        migrate(AFTER)
        placed = dict(Event.objects.values_list("source_id", "borough__ons_code"))
        assert placed == {"unplaced": "E09000012", "given": "E09000001", "outside": None, "nowhere": None}
    finally:
        migrate(AFTER)
