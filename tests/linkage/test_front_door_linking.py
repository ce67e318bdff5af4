"""A contact typed at the scene joins the person Lantern already knows, in the same request."""

from django.urls import reverse

from lantern.accounts.models import Role
from lantern.linkage.services import link_all
from lantern.organisations.models import Agency, AgencyKind
from lantern.people.models import SourceRecord
from lantern.referrals.models import Source
from lantern.referrals.services import NewContact, contact_create
from tests.factories import UserFactory


def test_an_officers_contact_links_to_the_known_child_and_the_screener_sees_their_history(imported, client):
    link_all()
    known = (SourceRecord.objects.filter(dob_year__gte=2010, dob_day__isnull=False, borough__isnull=False)
             .exclude(postcode="").exclude(given_names="").exclude(family_name="").order_by("pk").first())
    assert known is not None and known.person is not None
    met = Agency.objects.filter(kind=AgencyKind.POLICE).first()
    officer = UserFactory(role=Role.OFFICER, agency=met, borough=known.borough)
    subject = {"given_names": known.given_names.split()[0], "family_name": known.family_name,
               "date_of_birth": f"{known.dob_year}-{known.dob_month:02d}-{known.dob_day:02d}",
               "address": {"line1": known.address_line1, "postcode": known.postcode}}

    contact = contact_create(NewContact(
        source=Source.OFFICER, subject=subject, what_happened="Found alone at night, distressed.",
        risk_consideration="At risk of harm out alone at night.", action_taken="Took home to carer."),
        reporter=officer)

    assert contact.person_id == known.person_id
    researcher = UserFactory(role=Role.RESEARCHER, agency=met, borough=contact.borough)
    client.force_login(researcher)
    page = client.get(reverse("web:contact", args=[contact.reference])).content.decode()
    assert f"Person {known.person.reference}" in page and "What Lantern already knows" in page
