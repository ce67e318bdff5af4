"""POST /api/v1/intake: a feed sends its own agency's lines with a bearer token."""

import re

import orjson
import pytest

from lantern.intake.feeds import feed_token_issue
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord
from tests.intake.feeds import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db):
    met = Agency.objects.create(code="met", name="Met", kind="police")
    Agency.objects.create(code="other", name="Other", kind="police")
    return feed_token_issue(agency=met, name="CRIS nightly")[1]


def send(client, token, lines, content_type="application/x-ndjson"):
    body = b"\n".join(orjson.dumps(line) if isinstance(line, dict) else line for line in lines)
    return client.post("/api/v1/intake", body, content_type=content_type,
                       headers={"Authorization": f"Bearer {token}"} if token else {})


def test_a_feed_sends_lines_and_hears_what_happened_to_each(client, token):
    response = send(client, token, [person("P1"), b"{broken", person("P2", nhs_number="123")])
    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["created"] == 1 and body["counts"]["quarantined"] == 2
    assert [(h["line"], h["field"]) for h in body["held"]] == [(2, "(line)"), (3, "nhs_number")]
    assert SourceRecord.objects.get().source_id == "P1"


def test_sending_the_same_batch_twice_changes_nothing(client, token):
    send(client, token, [person("P1")])
    again = send(client, token, [person("P1")]).json()
    assert again["counts"]["unchanged"] == 1 and SourceRecord.objects.count() == 1


def test_a_feed_cannot_write_another_agencys_records(client, token):
    body = send(client, token, [person("P1", agency="other")]).json()
    assert body["held"][0]["reason"] == "this feed sends records for 'met' only, not 'other'"
    assert not SourceRecord.objects.exists()


@pytest.mark.parametrize("credential", ["", "lantern_not-a-real-token"])
def test_no_token_or_a_wrong_one_is_refused(client, token, credential):
    response = send(client, credential, [person("P1")])
    assert response.status_code == 401
    assert not SourceRecord.objects.exists()


def test_a_revoked_token_is_refused(client, token):
    from django.utils import timezone

    from lantern.intake.models import FeedToken

    FeedToken.objects.update(revoked_at=timezone.now())
    assert send(client, token, [person("P1")]).status_code == 401


def test_tokens_are_stored_only_as_hashes(token):
    from lantern.intake.models import FeedToken

    assert token not in FeedToken.objects.get().token_hash


def test_openapi_describes_the_intake(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/intake" in schema["paths"]


def test_a_feed_cannot_register_or_change_agencies(client, token):
    line = {"kind": "agency", "code": "met", "name": "Renamed", "agency_kind": "school", "borough": None}
    body = send(client, token, [line]).json()
    assert body["held"][0]["reason"] == "a feed cannot register or change agencies: ask an administrator"
    assert Agency.objects.get(code="met").name == "Met"


def test_a_batch_sent_again_still_reports_its_held_lines(client, token):
    send(client, token, [person("P1"), b"{broken"])
    again = send(client, token, [person("P1"), b"{broken"]).json()
    assert again["counts"]["quarantined"] == 1
    assert [(h["line"], h["field"]) for h in again["held"]] == [(2, "(line)")]


def test_feed_tokens_from_the_command_line(client, db, capsys):
    from django.core.management import call_command

    Agency.objects.create(code="met", name="Met", kind="police")
    call_command("feeds", "issue", "met", "CRIS nightly")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert send(client, token, [person("P1")]).status_code == 200

    call_command("feeds", "issue", "met", "Spare export")
    capsys.readouterr()
    call_command("feeds", "list")
    listed = capsys.readouterr().out
    assert re.search(r"CRIS nightly +live +last batch \d{4}-\d\d-\d\d \d\d:\d\d", listed), listed
    assert re.search(r"Spare export +live +no batch yet", listed), listed
    from lantern.intake.models import FeedToken

    call_command("feeds", "revoke", str(FeedToken.objects.get(name="CRIS nightly").pk))
    assert send(client, token, [person("P2")]).status_code == 401


def test_a_body_over_the_limit_is_refused_in_json_and_nothing_is_read(client, token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    lines = [person(f"P{n}") for n in range(40)]
    response = send(client, token, lines)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": "the body is larger than 2,000 bytes, the most one request may send: send the lines in "
                  "smaller batches"}
    assert not SourceRecord.objects.exists()
    assert send(client, token, lines[:2]).status_code == 200


def test_a_body_over_the_limit_without_a_token_is_refused_as_unauthorised(client, token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    assert send(client, "", [person(f"P{n}") for n in range(40)]).status_code == 401
