"""`lantern clocks` escalates what is overdue once, and says what it did."""

from io import StringIO

from django.core.management import call_command

from lantern.referrals.models import Contact

from .conftest import FrontDoor, officer_contact


def test_lantern_clocks_escalates_an_overdue_contact_once(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door)  # received last Monday: long overdue today
    out = StringIO()
    call_command("clocks", stdout=out)
    assert "Escalated 1 contact(s)" in out.getvalue()
    assert Contact.objects.get(pk=contact.pk).escalated_at is not None

    out = StringIO()
    call_command("clocks", stdout=out)
    assert "Escalated 0 contact(s)" in out.getvalue()
