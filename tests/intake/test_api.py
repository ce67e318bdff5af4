"""POST /api/v1/intake: a feed sends its own agency's lines with a bearer token."""

import codecs
import re

import orjson
import pytest

from lantern.intake.feeds import feed_token_issue
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord
from tests.intake.feeds import event, person

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
    assert response["WWW-Authenticate"] == 'Bearer realm="lantern-intake"'
    assert response.json()["detail"].startswith("send the feed's token as 'Authorization: Bearer TOKEN'")
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
    answers = schema["paths"]["/api/v1/intake"]["post"]["responses"]
    assert set(answers) == {"200", "400", "401", "411", "413", "415"}


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


def received(body: dict) -> tuple[int, int]:
    return body["counts"]["created"], body["counts"]["quarantined"]


def post_raw(client, token, body: bytes, **headers):
    content_type = headers.pop("content_type", "application/x-ndjson")
    return client.post("/api/v1/intake", body, content_type=content_type,
                       headers={"Authorization": f"Bearer {token}", **headers})


@pytest.mark.parametrize(("headers", "status", "detail"), [
    ({"Transfer-Encoding": "chunked"}, 411,
     "send the body with a Content-Length header, not in chunks (Transfer-Encoding: chunked)"),
    ({"Content-Encoding": "gzip"}, 415, "the body is encoded (gzip): send it uncompressed"),
    ({"content_type": "multipart/form-data; boundary=x"}, 415,
     "the body is multipart/form-data: send JSON Lines, one interchange object per line, as application/x-ndjson"),
])
def test_a_body_that_cannot_be_read_as_lines_is_refused_whole_and_nothing_recorded(
        client, token, headers, status, detail):
    from lantern.intake.models import FeedToken, ImportRun

    response = post_raw(client, token, orjson.dumps(person("P1")), **headers)

    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert not SourceRecord.objects.exists() and not ImportRun.objects.exists()
    assert FeedToken.objects.get().last_batch_at is None


@pytest.mark.parametrize("body", [b"", b"\n\r\n  \n"])
def test_a_body_with_no_lines_is_refused(client, token, body):
    from lantern.intake.models import ImportRun

    response = post_raw(client, token, body)

    assert (response.status_code, response.json()) == (
        400, {"detail": "the body holds no lines: send one interchange object per line"})
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("encode", [
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    lambda text: text.encode("utf-16"),  # with its byte order mark
    lambda text: text.encode("utf-16-le"),
])
def test_a_byte_order_mark_or_utf16_body_is_read(client, token, encode):
    text = "\r\n".join(orjson.dumps(person(f"P{n}", given_names="Zoë")).decode() for n in (1, 2))

    body = post_raw(client, token, encode(text)).json()

    assert received(body) == (2, 0)
    assert set(SourceRecord.objects.values_list("given_names", flat=True)) == {"Zoë"}


def test_a_line_at_the_limit_ending_in_cr_lf_goes_in(client, token, settings):
    line = orjson.dumps(person("P1"))
    settings.LANTERN_MAX_LINE_BYTES = len(line)

    assert received(post_raw(client, token, line + b"\r\n" + line.replace(b"P1", b"P22") + b"\r\n").json()) == (1, 1)


def test_long_lines_that_start_alike_are_held_apart(client, token, settings):
    settings.LANTERN_MAX_LINE_BYTES = 70_000
    start = b'{"kind":"person","narrative":"' + b"x" * 70_000

    body = post_raw(client, token, start + b'a"}\n' + start + b'bb"}').json()

    assert [(h["line"], h["reason"]) for h in body["held"]] == [
        (1, "is 70,033 bytes long; a line may be at most 70,000 bytes"),
        (2, "is 70,034 bytes long; a line may be at most 70,000 bytes")]


def test_a_feed_hears_only_of_its_own_held_lines(client, token):
    other = Agency.objects.get(code="other")
    other_token = feed_token_issue(agency=other, name="Other nightly")[1]
    line = person("P1", agency="other")
    assert received(send(client, other_token, [line]).json()) == (1, 0)
    assert received(send(client, token, [line]).json()) == (0, 1)  # the Met's feed may not send it

    body = send(client, other_token, [line]).json()

    assert (body["counts"]["unchanged"], body["held"]) == (1, [])


def test_a_windows_1252_line_is_told_to_come_as_utf8(client, token):
    line = orjson.dumps(person("P1", given_names="ZoX")).replace(b"ZoX", b"Zo\xeb")

    [held] = send(client, token, [line]).json()["held"]

    assert "its characters beyond ASCII are 'ë'" in held["reason"]
    assert held["reason"].endswith("have it send UTF-8, as the API takes") and "--encoding" not in held["reason"]


def test_a_utf16_body_with_a_unit_that_is_not_utf16_fails_that_line_only(client, token):
    good = [orjson.dumps(person(f"P{n}")).decode() for n in (1, 2)]
    body = good[0].encode("utf-16-le") + "\n".encode("utf-16-le") + b"\x00\xdc" + "\n".encode("utf-16-le") + \
        good[1].encode("utf-16-le")  # a low surrogate alone on line 2

    answer = post_raw(client, token, body).json()

    assert received(answer) == (2, 1)
    assert [(h["line"], h["reason"]) for h in answer["held"]] == [(2, (
        "holds a byte that is not a character in the encoding the file was read in (the one named with "
        "--encoding, or UTF-16): check which encoding the file is in"))]


def test_a_body_in_another_character_set_is_refused(client, token):
    response = post_raw(client, token, orjson.dumps(person("P1")), content_type="application/x-ndjson; charset=latin-1")

    assert (response.status_code, response.json()) == (
        415, {"detail": "the body is in latin-1: send it in UTF-8 (charset=utf-8)"})
    assert post_raw(client, token, orjson.dumps(person("P1")),
                    content_type="application/x-ndjson; charset=UTF-8").status_code == 200


def test_the_same_bytes_from_another_feed_leave_a_feeds_held_line_as_it_was(client, token):
    other_token = feed_token_issue(agency=Agency.objects.get(code="other"), name="Other nightly")[1]
    waiting = event("E1", ("P1", "victim"))
    send(client, token, [waiting])
    send(client, other_token, [waiting])  # refused for the other feed: not its agency's line

    from lantern.intake.models import HeldLine
    held = HeldLine.objects.get()
    assert (held.status, held.feed_agency, held.waiting_for) == ("waiting", "met", ["P1"])
    assert received(send(client, token, [person("P1")]).json()) == (2, 0)  # the event goes in with its person


def test_an_escaped_backslash_before_u0000_is_not_a_nul(client, token):
    line = orjson.dumps(event("E1", ("P1", "victim"), narrative="C:\\u0000"))  # a backslash, then "u0000"
    assert b'"C:\\\\u0000"' in line

    assert received(send(client, token, [person("P1"), line]).json()) == (2, 0)

    from lantern.events.models import Event
    assert Event.objects.get().narrative == "C:\\u0000"


def test_a_line_that_names_no_agency_is_held_as_the_feeds(client, token):
    send(client, token, [b"{broken"])

    from lantern.intake.models import HeldLine
    assert HeldLine.objects.get().agency == "met"


def test_other_methods_and_addresses_are_answered_in_json(client, token):
    wrong_method = client.get("/api/v1/intake", headers={"Authorization": f"Bearer {token}"})
    assert (wrong_method.status_code, wrong_method.json(), wrong_method["Allow"]) == (
        405, {"detail": "this address does not take GET: send a POST"}, "POST")
    for address in ("/api/v1/intake/", "/API/v1/intake", "/api"):
        no_such = client.post(address, b"{}", content_type="application/x-ndjson")
        assert no_such.status_code == 404 and no_such.json()["detail"].startswith("there is no such address in the API")
    from django.test import Client
    form_post = Client(enforce_csrf_checks=True).post("/api/v1/openapi.json", {"a": "b"})
    assert form_post.status_code == 403 and form_post.json()["detail"].startswith("refused: this address takes nothing")


def test_a_busy_database_is_answered_with_try_again_in_json(client, token, monkeypatch):
    from django.db import OperationalError

    from lantern.intake.importer import Import

    def locked(self, lines):
        raise OperationalError("database is locked")

    monkeypatch.setattr(Import, "lines", locked)

    response = send(client, token, [person("P1")])

    assert (response.status_code, response["Retry-After"]) == (503, "60")
    assert response.json()["detail"].startswith("the database could not take this batch now")
    assert not SourceRecord.objects.exists()
