"""Search: misspelt names, nicknames, dates of birth, ages, postcodes, NHS numbers and agency
references; ranked by match strength; scoped by the access checkpoint; every search audited."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.linkage.models import LinkKey
from lantern.people.models import SearchTerm
from lantern.people.search import SearchQuery, SearchRefused, search_people
from lantern.people.services import source_record_receive
from tests.factories import AgencyFactory, UserFactory, borough

HACKNEY, LAMBETH = "E09000012", "E09000022"
TODAY = date(2026, 11, 22)


def person_record(agency, source_id, given, family, dob, postcode="E8 1DY", nhs="", area=HACKNEY, restricted=False,
                  person=None, **extra):
    return source_record_receive(
        agency=agency, source_id=source_id, borough=borough(area), restricted=restricted, person=person,
        data={"given_names": given, "family_name": family, "date_of_birth": dob, "sex": "female",
              "address": {"line1": "1 Mare Street", "postcode": postcode}, "nhs_number": nhs, **extra},
    ).record


@pytest.fixture
def met(db):
    return AgencyFactory(code="met", name="Metropolitan Police Service")


@pytest.fixture
def school(db):
    return AgencyFactory(code="school-e09000012", name="Hackney schools")


@pytest.fixture
def people(met, school):
    return {
        "jayden": person_record(met, "CRIS-1001", "Jayden", "Smyth", "2011-03-14", nhs="9434765919"),
        "jay_older": person_record(met, "CRIS-1002", "Jayden", "Smith", "1990-07-02", postcode="E9 5AA"),
        "william": person_record(school, "SIMS-77", "William", "Okafor", "2012-01-30", postcode="E8 3PL"),
        "aisha": person_record(met, "CRIS-1003", "Aisha", "Begum", "2010-11-05"),
        "lambeth": person_record(met, "CRIS-2001", "Jayden", "Smyth", "2011-03-14", area=LAMBETH,
                                 postcode="SW9 8AB"),
    }


@pytest.fixture
def researcher(met):
    return UserFactory(role=Role.RESEARCHER, agency=met, borough=borough(HACKNEY))


def found(user, **asked) -> list[str]:
    return [m.record.source_id for m in search_people(user, SearchQuery(**asked), today=TODAY).matches]


def test_every_record_is_indexed_as_it_arrives(people):
    assert SearchTerm.objects.filter(record=people["jayden"]).count() >= 8


def test_a_misspelt_name_finds_the_person_first(researcher, people):
    assert found(researcher, name="Jaiden Smith", dob_year=2011, dob_month=3, dob_day=14)[0] == "CRIS-1001"
    assert "CRIS-1001" in found(researcher, name="Jadyn Smyth")


def test_a_nickname_finds_the_formal_name(researcher, people):
    assert found(researcher, name="Bill Okafor") == ["SIMS-77"]
    assert found(researcher, name="Liam", dob_year=2012) == ["SIMS-77"]


def test_vowels_spelt_differently_still_match(researcher, people):
    assert found(researcher, name="Ayesha Begum") == ["CRIS-1003"]


def test_date_of_birth_with_day_and_month_swapped_ranks_below_the_exact_date(researcher, people):
    exact = search_people(researcher, SearchQuery(name="Jayden", dob_year=2011, dob_month=3, dob_day=14), today=TODAY)
    swapped = search_people(researcher, SearchQuery(name="Jayden", dob_year=2011, dob_month=14 - 11, dob_day=14),
                            today=TODAY)
    assert exact.matches[0].record.source_id == "CRIS-1001"
    assert exact.matches[0].strength_label == "Strong match"
    assert swapped.matches[0].record.source_id == "CRIS-1001"


def test_age_postcode_nhs_number_and_agency_reference(researcher, people):
    assert found(researcher, name="Jayden", age=15) == ["CRIS-1001"]
    assert found(researcher, postcode="E83PL") == ["SIMS-77"]
    assert set(found(researcher, postcode="E8")) == {"CRIS-1001", "SIMS-77", "CRIS-1003"}
    assert found(researcher, nhs_number="9434765919") == ["CRIS-1001"]
    assert found(researcher, reference="sims-77") == ["SIMS-77"]


def test_ranked_by_match_strength(researcher, people):
    results = search_people(researcher, SearchQuery(name="Jayden Smyth"), today=TODAY).matches
    assert [m.record.source_id for m in results] == ["CRIS-1001", "CRIS-1002"]
    assert results[0].score.strength > results[1].score.strength
    # The right name with the wrong year of birth is not shown at all.
    assert found(researcher, name="Jayden Smyth", dob_year=2011) == ["CRIS-1001"]


def test_search_sees_only_what_the_checkpoint_allows(people, met, school):
    lambeth_officer = UserFactory(role=Role.OFFICER, agency=met, borough=borough(LAMBETH))
    assert found(lambeth_officer, name="Jayden Smyth") == ["CRIS-2001"]
    school_lead = UserFactory(role=Role.PARTNER, agency=school, borough=borough(HACKNEY))
    assert found(school_lead, name="Jayden Smyth") == []
    assert found(school_lead, name="William Okafor") == ["SIMS-77"]
    with pytest.raises(SearchRefused):
        search_people(UserFactory(role=Role.SCRUTINY), SearchQuery(name="Jayden"), today=TODAY)
    with pytest.raises(SearchRefused):
        search_people(UserFactory(role=Role.ADMIN), SearchQuery(name="Jayden"), today=TODAY)


def test_every_search_is_audited_with_what_was_asked_and_shown(researcher, people):
    search_people(researcher, SearchQuery(name="Jayden Smyth", postcode="E81DY"), today=TODAY)
    entry = AuditEntry.objects.filter(verb=AuditVerb.PERSON_SEARCH).get()
    assert entry.actor == researcher
    assert entry.payload["criteria"] == {"name": "Jayden Smyth", "postcode": "E81DY"}
    assert entry.payload["shown"] == [people["jayden"].person.reference, people["jay_older"].person.reference]


def test_a_changed_record_is_found_by_its_new_name(met, researcher, people):
    person_record(met, "CRIS-1003", "Aisha", "Rahman", "2010-11-05")
    assert found(researcher, name="Aisha Rahman") == ["CRIS-1003"]
    assert found(researcher, name="Begum") == []


# Through the browser's HTTP ------------------------------------------------------------------

def test_search_page_shows_ranked_results_with_links(client, researcher, people):
    client.force_login(researcher)
    response = client.get(reverse("web:person-search"), {"name": "Jaiden Smith", "date_of_birth": "14/3/2011"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Strong match" in body
    assert reverse("web:person", args=[people["jayden"].person.reference]) in body
    assert "Jayden Smyth" in body
    assert "Jayden Smith" not in body  # born 1990: the right name, the wrong date


@pytest.mark.parametrize(("params", "message"), [
    ({"name": ""}, "Enter at least one detail to search by"),
    ({"date_of_birth": "31/2/2011"}, "Enter a date of birth like 27/3/2011"),
    ({"date_of_birth": "1/1/2099"}, "the date of birth is in the future"),
    ({"nhs_number": "12345"}, "Enter an NHS number as 10 digits"),
    ({"postcode": "!!"}, "Enter a postcode like E8 1DY"),
    ({"age": "old"}, "Enter an age in years, like 14"),
])
def test_search_form_says_what_is_wrong(client, researcher, params, message):
    client.force_login(researcher)
    response = client.get(reverse("web:person-search"), params)
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSON_SEARCH).exists()


def test_scrutiny_cannot_search_by_personal_details(client, people):
    client.force_login(UserFactory(role=Role.SCRUTINY))
    assert client.get(reverse("web:person-search"), {"name": "Jayden"}).status_code == 403


def test_reindex_rebuilds_the_search_index(researcher, people):
    SearchTerm.objects.all().delete()
    assert found(researcher, name="Aisha Begum") == []
    call_command("reindex")
    assert found(researcher, name="Aisha Begum") == ["CRIS-1003"]
    assert LinkKey.objects.filter(record=people["aisha"]).exists()  # linkage's keys come back too
    # The look-up-by-record indexes, dropped while the rows went in, are back.
    with connection.cursor() as cursor:
        for model in (SearchTerm, LinkKey):
            found_indexes = connection.introspection.get_constraints(cursor, model._meta.db_table)
            assert {index.name for index in model._meta.indexes} <= set(found_indexes)


def test_a_person_is_shown_by_a_record_whose_details_may_be_shown(met, school, researcher):
    hidden = person_record(met, "CRIS-9", "Leah", "Morgan", "2011-04-17", restricted=True)
    person_record(school, "SIMS-9", "Leah", "Morgan", "2011-04-17", person=hidden.person)
    [match] = search_people(researcher, SearchQuery(name="Leah Morgan"), today=TODAY).matches
    assert match.record.source_id == "SIMS-9" and not match.record.restricted
    assert match.agencies == ["Hackney schools", "Metropolitan Police Service"]
