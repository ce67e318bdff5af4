"""Linkage in the browser: the review queue, a pair, splitting, merging and a person's history."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.linkage.models import ChangeKind, PersonChange, ReviewPair, ReviewStatus
from lantern.people.models import Person, SourceRecord
from lantern.web.views.linkage import evidence, percent, signed_weight
from tests.factories import AgencyFactory, PersonFactory, SourceRecordFactory, UserFactory, borough

PASSWORD = "correct horse battery"
LAMBETH = "E09000022"
REASON = "Same NHS number and date of birth"
FIELDS = [
    {"comparison": "nhs_number", "level": 1, "label": "nhs_number the same", "match_weight": 12.34},
    {"comparison": "given_name", "level": 1, "label": "given_name the same", "match_weight": 4.2},
    {"comparison": "family_name", "level": 6, "label": "all other comparisons", "match_weight": -4.0},
    {"comparison": "date_of_birth", "level": 1, "label": "dates of birth the same", "match_weight": 7.5},
    {"comparison": "address", "level": 0, "label": "address missing", "match_weight": 0.0},
    {"comparison": "sex", "level": 1, "label": "sex the same", "match_weight": 0.4},
]


@pytest.fixture
def police(db):
    return AgencyFactory(code="met", name="Metropolitan Police Service")


@pytest.fixture
def health(db):
    return AgencyFactory(code="homerton", name="Homerton Healthcare")


@pytest.fixture
def researcher(police):
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", role=Role.RESEARCHER,
                       agency=police, borough=borough())


@pytest.fixture
def client_in(client: Client, researcher) -> Client:
    client.force_login(researcher)
    return client


def record(agency, **fields) -> SourceRecord:
    return SourceRecordFactory(agency=agency, **fields)


def make_pair(left: SourceRecord, right: SourceRecord, *, probability: float = 0.8, weight: float = 2.0,
              **fields) -> ReviewPair:
    low, high = sorted((left, right), key=lambda r: r.pk)
    return ReviewPair.objects.create(record_low=low, record_high=high, match_weight=weight,
                                     match_probability=probability, fields=FIELDS, model_version="test-1",
                                     raised_at=timezone.now(), **fields)


def banner(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who may use it ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.SUPERVISOR])
def test_the_mash_may_review(client, police, health, role):
    user = UserFactory(role=role, agency=police, borough=borough())
    pair = make_pair(record(police), record(health))
    person = pair.record_low.person
    client.force_login(user)
    assert client.get(reverse("web:review-queue")).status_code == 200
    assert client.get(reverse("web:review-pair", args=[pair.pk])).status_code == 200
    for name in ("person-split", "person-merge", "person-history"):
        assert client.get(reverse(f"web:{name}", args=[person.reference])).status_code == 200


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.OFFICER, Role.SOCIAL_WORKER, Role.PARTNER,
                                  Role.SCRUTINY, Role.ADMIN])
def test_everyone_else_is_refused(client, police, health, role):
    user = UserFactory(role=role, agency=police, borough=borough())
    pair = make_pair(record(police), record(police))
    person = pair.record_low.person
    client.force_login(user)
    urls = [reverse("web:review-queue"), reverse("web:review-pair", args=[pair.pk])]
    urls += [reverse(f"web:{name}", args=[person.reference])
             for name in ("person-split", "person-merge", "person-history")]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"decision": "same", "reason": REASON}).status_code == 403, url
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSON_VIEW).exists()


def test_signed_out_users_are_sent_to_sign_in(client, police):
    response = client.get(reverse("web:review-queue"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in")


def test_navigation_shows_review_matches_to_the_mash_only(client, client_in, police):
    assert "Review matches" in client_in.get("/").content.decode()
    client.force_login(UserFactory(role=Role.OFFICER, agency=police, borough=borough()))
    assert "Review matches" not in client.get("/").content.decode()


def test_person_page_links_to_history_split_and_merge_for_the_mash_only(client, client_in, police):
    person = record(police).person
    body = client_in.get(reverse("web:person", args=[person.reference])).content.decode()
    for name in ("person-history", "person-split", "person-merge"):
        assert reverse(f"web:{name}", args=[person.reference]) in body
    client.force_login(UserFactory(role=Role.OFFICER, agency=police, borough=borough()))
    body = client.get(reverse("web:person", args=[person.reference])).content.decode()
    assert reverse("web:person-split", args=[person.reference]) not in body


# The queue ---------------------------------------------------------------------------------

def test_queue_lists_pending_pairs_most_probable_first(client_in, police, health):
    likely = make_pair(record(police, given_names="Leah", family_name="Morgan", dob_year=2011, dob_month=4,
                              dob_day=17),
                       record(health, given_names="Lea", family_name="Morgan-Price"), probability=0.934)
    unlikely = make_pair(record(police, given_names="Dean"), record(health, given_names="Deon"), probability=0.41)
    make_pair(record(police), record(health), status=ReviewStatus.SAME, decided_at=timezone.now(), reason=REASON)

    body = client_in.get(reverse("web:review-queue")).content.decode()

    assert "Review matches (2 waiting)" in body
    assert body.index(reverse("web:review-pair", args=[likely.pk])) < body.index(
        reverse("web:review-pair", args=[unlikely.pk]))
    for text in ("93.4%", "41.0%", "Leah Morgan", "Lea Morgan-Price", "Born 2011-04-17",
                 "Metropolitan Police Service", "Homerton Healthcare"):
        assert text in body


def test_queue_filter_shows_decided_pairs(client_in, police, health):
    make_pair(record(police, given_names="Pending"), record(health))
    decided = make_pair(record(police, given_names="Settled"), record(health), status=ReviewStatus.DIFFERENT,
                        decided_at=timezone.now(), reason=REASON)

    body = client_in.get(reverse("web:review-queue"), {"status": "decided"}).content.decode()

    assert "Review matches (1 waiting)" in body
    assert "Settled" in body and "Pending" not in body
    assert reverse("web:review-pair", args=[decided.pk]) in body
    assert "Not the same person" in body


def test_queue_hides_pairs_with_a_record_the_user_cannot_see(client_in, police, health):
    make_pair(record(police, given_names="Visible"), record(health))
    make_pair(record(police, given_names="Elsewhere"), record(health, borough=borough(LAMBETH)))

    body = client_in.get(reverse("web:review-queue")).content.decode()

    assert "Review matches (1 waiting)" in body
    assert "Visible" in body and "Elsewhere" not in body


def test_queue_does_not_name_restricted_records(client_in, police, health):
    make_pair(record(police, given_names="Hidden", restricted=True), record(health, given_names="Open"))
    body = client_in.get(reverse("web:review-queue")).content.decode()
    assert "Restricted record" in body and "Hidden" not in body and "Open" in body


def test_queue_pages_hold_fifty_pairs(client_in, police, health):
    for n in range(51):
        make_pair(record(police), record(health), probability=0.5 + n / 200)

    first = client_in.get(reverse("web:review-queue"))
    second = client_in.get(reverse("web:review-queue"), {"page": 2})

    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 1
    assert "Review matches (51 waiting)" in second.content.decode()
    assert second.context["rows"][0].probability == "50.0%"
    assert 'aria-label="Page 2"' in first.content.decode()


@pytest.mark.parametrize("status", ["", "decided"])
def test_queue_queries_do_not_grow_with_the_pairs(client_in, police, health, status,
                                                  django_assert_max_num_queries):
    def add_pairs(count: int) -> None:
        for _ in range(count):
            make_pair(record(police), record(health),
                      **({"status": ReviewStatus.SAME, "decided_at": timezone.now(), "reason": REASON,
                          "decided_by": UserFactory()} if status else {}))

    add_pairs(2)
    with django_assert_max_num_queries(7):
        client_in.get(reverse("web:review-queue"), {"status": status})
    add_pairs(40)
    with django_assert_max_num_queries(7):
        response = client_in.get(reverse("web:review-queue"), {"status": status})
    assert len(response.context["rows"]) == 42


# One pair ----------------------------------------------------------------------------------

def test_pair_shows_each_field_with_its_match_weight(client_in, researcher, police, health):
    left = record(police, given_names="Leah", family_name="Morgan", nhs_number="9434765919", postcode="E5 8HP")
    right = record(health, given_names="Leah", family_name="Price", nhs_number="9434765919", uprn="100021012345")
    pair = make_pair(left, right, probability=0.9876, weight=20.84)

    response = client_in.get(reverse("web:review-pair", args=[pair.pk]))
    body = response.content.decode()

    assert response.status_code == 200
    assert "Are these the same person?" in body
    rows = {row.label: row for row in response.context["rows"]}
    assert rows["NHS number"].left == "943 476 5919" and rows["NHS number"].weight_text == "+12.3"
    assert rows["NHS number"].evidence == "strong evidence for"
    assert rows["Family name"].weight_text == "-4.0" and rows["Family name"].evidence == "moderate evidence against"
    assert rows["Address and postcode"].comparison == "Address missing"
    assert rows["NHS number"].comparison == "NHS number the same"
    assert rows["Address and postcode"].evidence == "no evidence either way"
    assert rows["UPRN"].right == "100021012345" and rows["UPRN"].weight is None
    assert rows["Agency and source ID"].left == f"Metropolitan Police Service, {left.source_id}"
    assert rows["Person now"].left == left.person.reference
    for text in ("98.7%", "+20.8", "strong evidence for", "moderate evidence against", "Sex", "Date of birth",
                 reverse("web:person", args=[right.person.reference]), 'name="decision"', 'name="reason"'):
        assert text in body
    entry = AuditEntry.objects.get(verb=AuditVerb.PERSON_VIEW, actor=researcher)
    assert entry.target_type == "linkage.reviewpair" and entry.target_id == str(pair.pk)
    assert entry.payload["records"] == [str(pair.record_low), str(pair.record_high)]


def test_weights_and_probabilities_in_words():
    assert signed_weight(12.34) == "+12.3" and signed_weight(-0.5) == "-0.5" and signed_weight(0.01) == "0.0"
    assert evidence(6) == "strong evidence for" and evidence(-2) == "moderate evidence against"
    assert evidence(0.3) == "weak evidence for" and evidence(0) == "no evidence either way"
    assert percent(0.99996) == "99.9%" and percent(0.5) == "50.0%" and percent(1.0) == "100.0%"


def test_pair_with_a_hidden_record_is_a_404(client_in, police, health):
    pair = make_pair(record(police), record(health, borough=borough(LAMBETH)))
    assert client_in.get(reverse("web:review-pair", args=[pair.pk])).status_code == 404
    assert client_in.post(reverse("web:review-pair", args=[pair.pk]),
                          {"decision": "same", "reason": REASON}).status_code == 404
    assert client_in.get(reverse("web:review-pair", args=[pair.pk + 1000])).status_code == 404
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSON_VIEW).exists()


def test_deciding_same_merges_the_persons(client_in, researcher, police, health):
    left, right = record(police, given_names="Leah"), record(health, given_names="Leah")
    pair = make_pair(left, right)

    response = client_in.post(reverse("web:review-pair", args=[pair.pk]), {"decision": "same", "reason": REASON})

    assert response.status_code == 302 and response["Location"] == reverse("web:review-queue")
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.SAME and pair.decided_by == researcher and pair.reason == REASON
    left.refresh_from_db()
    right.refresh_from_db()
    assert left.person_id == right.person_id
    assert banner(response) == [f"Decision recorded: same person. Both records are now person {left.person}."]
    assert AuditEntry.objects.filter(verb=AuditVerb.LINK_REVIEW, actor=researcher, reason=REASON).exists()
    assert PersonChange.objects.filter(kind=ChangeKind.MERGED).count() == 1
    queue = client_in.get(response["Location"]).content.decode()
    assert "govuk-notification-banner" in queue and "Decision recorded: same person" in queue


def test_deciding_different_splits_a_person(client_in, researcher, police, health):
    person = PersonFactory()
    left, right = record(police, person=person), record(health, person=person)
    pair = make_pair(left, right)

    response = client_in.post(reverse("web:review-pair", args=[pair.pk]),
                              {"decision": "different", "reason": "Different fathers on the birth records"})

    assert response.status_code == 302
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.DIFFERENT
    left.refresh_from_db()
    right.refresh_from_db()
    assert left.person_id != right.person_id
    assert banner(response)[0].startswith("Decision recorded: not the same person.")


def test_a_short_reason_is_refused_with_a_govuk_error(client_in, police, health):
    pair = make_pair(record(police), record(health))

    response = client_in.post(reverse("web:review-pair", args=[pair.pk]), {"decision": "same", "reason": "looks ok"})
    body = response.content.decode()

    assert response.status_code == 200
    assert "govuk-error-summary" in body and "<title>Error: Review pair" in body
    assert "Your reason must be at least 10 characters" in body and 'href="#id_reason"' in body
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING


def test_a_missing_decision_is_refused(client_in, police, health):
    pair = make_pair(record(police), record(health))
    body = client_in.post(reverse("web:review-pair", args=[pair.pk]), {"reason": REASON}).content.decode()
    assert "Select whether these records are the same person" in body and 'href="#id_decision"' in body
    assert 'id="id_decision"' in body  # the summary's link lands on the first radio


def test_a_decided_pair_shows_the_decision_and_no_form(client_in, police, health):
    decider = UserFactory(first_name="Tom", last_name="Okafor")
    pair = make_pair(record(police), record(health), status=ReviewStatus.DIFFERENT, decided_by=decider,
                     decided_at=timezone.now() - timedelta(days=1), reason="Twins, born the same day")

    body = client_in.get(reverse("web:review-pair", args=[pair.pk])).content.decode()

    assert "Decided: not the same person" in body
    assert "Tom Okafor" in body and "Twins, born the same day" in body
    assert 'name="decision"' not in body

    again = client_in.post(reverse("web:review-pair", args=[pair.pk]), {"decision": "same", "reason": REASON})
    assert "Tom Okafor already decided this pair" in again.content.decode()
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.DIFFERENT and pair.reason == "Twins, born the same day"


def test_a_pair_decided_by_someone_else_meanwhile_shows_their_decision(client_in, police, health, monkeypatch):
    from lantern.linkage import services
    from lantern.web.views import linkage

    pair = make_pair(record(police), record(health))
    other = UserFactory(username="tom")

    def decided_first(**kwargs):
        services.review_decide(pair=kwargs["pair"], same=False, reason="Decided a moment before", actor=other)
        return services.review_decide(**kwargs)

    monkeypatch.setattr(linkage, "review_decide", decided_first)
    response = client_in.post(reverse("web:review-pair", args=[pair.pk]), {"decision": "same", "reason": REASON})
    body = response.content.decode()

    assert response.status_code == 200
    assert "tom already decided this pair" in body and 'href="#decision"' in body
    assert "Decided: not the same person" in body and 'name="decision"' not in body


def test_a_restricted_record_opens_only_with_a_reason(client_in, researcher, police, health):
    pair = make_pair(record(police, given_names="Hidden", restricted=True), record(health))
    url = reverse("web:review-pair", args=[pair.pk])

    ask = client_in.get(url)
    assert "Why do you need to see these records?" in ask.content.decode() and "Hidden" not in ask.content.decode()
    refused = client_in.post(url, {"step": "open", "access_reason": "curious"})
    assert refused.status_code == 403 and "at least 10 characters" in refused.content.decode()
    direct = client_in.post(url, {"decision": "same", "reason": REASON})
    assert direct.status_code == 403 and ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING

    opened = client_in.post(url, {"step": "open", "access_reason": "Strategy meeting this afternoon"})
    body = opened.content.decode()
    assert opened.status_code == 200 and "Hidden" in body and "govuk-error-summary" not in body
    assert 'name="access_reason" value="Strategy meeting this afternoon"' in body
    entry = AuditEntry.objects.get(verb=AuditVerb.PERSON_VIEW, actor=researcher)
    assert entry.reason == "Strategy meeting this afternoon"

    decided = client_in.post(url, {"decision": "same", "reason": REASON,
                                   "access_reason": "Strategy meeting this afternoon"})
    assert decided.status_code == 302
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.SAME


# Split and merge ---------------------------------------------------------------------------

@pytest.fixture
def family(police, health):
    """One person holding three records, the last of which is someone else."""
    person = PersonFactory()
    return [record(police, person=person, given_names="Kayden"),
            record(health, person=person, given_names="Kayden"),
            record(health, person=person, given_names="Kaiden", dob_year=1979)]


def test_split_moves_chosen_records_to_a_new_person(client_in, researcher, family):
    person = family[0].person
    url = reverse("web:person-split", args=[person.reference])

    page = client_in.get(url).content.decode()
    assert page.count('type="checkbox"') == 3 and "Kaiden" in page

    response = client_in.post(url, {"records": [str(family[2].pk)], "reason": "Born 1979: the child's father"})

    family[2].refresh_from_db()
    new_person = family[2].person
    assert new_person != person
    assert response.status_code == 302 and response["Location"] == reverse("web:person", args=[new_person.reference])
    assert banner(response) == [f"Records split: 1 record moved from {person} to this new person, {new_person}."]
    assert SourceRecord.objects.filter(person=person).count() == 2
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSON_SPLIT, actor=researcher).exists()
    assert ReviewPair.objects.filter(status=ReviewStatus.DIFFERENT).count() == 2


@pytest.mark.parametrize(("data", "error"), [
    ({"reason": "Born 1979: the child's father"}, "Select the records to move to a new person"),
    ({"records": ["RECORDS"], "reason": "short"}, "Your reason must be at least 10 characters"),
    ({"records": ["ALL"], "reason": "Born 1979: the child's father"}, "Leave at least one record with this person"),
    ({"records": ["999999"], "reason": "Born 1979: the child's father"}, "Select records that belong to this person"),
])
def test_split_errors(client_in, family, data, error):
    person = family[0].person
    ids = [str(r.pk) for r in family]
    if data.get("records") == ["RECORDS"]:
        data = {**data, "records": ids[:1]}
    elif data.get("records") == ["ALL"]:
        data = {**data, "records": ids}

    response = client_in.post(reverse("web:person-split", args=[person.reference]), data)
    body = response.content.decode()

    assert response.status_code == 200 and "govuk-error-summary" in body and error in body
    assert SourceRecord.objects.filter(person=person).count() == 3


def test_split_of_a_hidden_person_is_a_404(client_in, police):
    person = record(police, borough=borough(LAMBETH)).person
    assert client_in.get(reverse("web:person-split", args=[person.reference])).status_code == 404


def test_merge_moves_the_other_persons_records_here(client_in, researcher, police, health):
    here, other = record(police, given_names="Ruby"), record(health, given_names="Ruby")
    url = reverse("web:person-merge", args=[here.person.reference])
    assert "Reference of the other person" in client_in.get(url).content.decode()

    response = client_in.post(url, {"other": other.person.reference.lower().replace("-", ""),
                                    "reason": "Same child: school confirmed the address"})

    assert response.status_code == 302 and response["Location"] == reverse("web:person", args=[here.person.reference])
    other_person = Person.objects.get(pk=other.person_id)
    assert other_person.merged_into_id == here.person_id
    other.refresh_from_db()
    assert other.person_id == here.person_id
    assert banner(response) == [f"Merged: the records of {other_person} now belong to {here.person}."]
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSON_MERGE, actor=researcher).exists()


def test_merge_errors(client_in, police, health):
    here = record(police)
    hidden = record(health, borough=borough(LAMBETH))
    url = reverse("web:person-merge", args=[here.person.reference])
    reason = "Same child: school confirmed the address"

    cases = [
        ({"other": hidden.person.reference, "reason": reason}, "Enter the reference of a person you can see"),
        ({"other": here.person.reference, "reason": reason}, "that reference is this person"),
        ({"other": "HXK4-RM7Q", "reason": reason}, "Enter a person reference as 8 letters and numbers"),
        ({"other": hidden.person.reference, "reason": "short"}, "Your reason must be at least 10 characters"),
    ]
    for data, error in cases:
        body = client_in.post(url, data).content.decode()
        assert "govuk-error-summary" in body and error in body, error
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


# History -----------------------------------------------------------------------------------

def test_history_lists_changes_and_only_records_the_user_may_see(client_in, researcher, family, police):
    person = family[0].person
    client_in.post(reverse("web:person-split", args=[person.reference]),
                   {"records": [str(family[2].pk)], "reason": "Born 1979: the child's father"})
    new_person = SourceRecord.objects.get(pk=family[2].pk).person
    elsewhere = record(police, borough=borough(LAMBETH))
    PersonChange.objects.create(person=person, kind=ChangeKind.GREW, other=None, at=timezone.now(),
                                records=[str(elsewhere), str(family[0])], reason="")

    body = client_in.get(reverse("web:person-history", args=[person.reference])).content.decode()

    assert "Records split off" in body and "Records joined" in body
    assert reverse("web:person", args=[new_person.reference]) in body
    assert str(family[2]) in body and str(family[0]) in body
    assert "Born 1979: the child&#x27;s father" in body and "Priya Shah" in body
    assert str(elsewhere) not in body and "and 1 record you cannot see" in body
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSON_VIEW, target_id=person.reference).exists()


def test_history_of_a_restricted_person_asks_for_a_reason(client_in, police):
    person = record(police, restricted=True).person
    url = reverse("web:person-history", args=[person.reference])
    assert "Why do you need to see these records?" in client_in.get(url).content.decode()
    opened = client_in.post(url, {"step": "open", "access_reason": "Strategy meeting this afternoon"})
    assert opened.status_code == 200 and "No changes have been recorded" in opened.content.decode()
