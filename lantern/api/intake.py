"""POST /api/v1/intake: an agency's system sends a batch of interchange lines."""

import codecs
import hashlib
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from lantern.intake.feeds import feed_batch_received, feed_for_token
from lantern.intake.held import open_held_lines
from lantern.intake.importer import Import
from lantern.intake.models import API_SOURCE, FeedToken
from lantern.intake.parsing import RawLine, raw_hash, too_long
from lantern.intake.reader import SNIFFED_BYTES, as_utf8, sniffed_encoding

router = Router(tags=["intake"])


class FeedAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> FeedToken | None:
        return feed_for_token(token)


class HeldOut(Schema):
    line: int
    status: str
    field: str
    reason: str


class IntakeOut(Schema):
    run: int
    counts: dict[str, int]
    held: list[HeldOut]


class Refusal(Schema):
    detail: str


# What a feed may label its body; the body is read as JSON Lines whichever it names.
LINE_TYPES = ("application/x-ndjson", "application/jsonl", "application/json", "text/plain",
              "application/octet-stream")


@router.post("", response={200: IntakeOut, 400: Refusal, 401: Refusal, 411: Refusal, 413: Refusal, 415: Refusal},
             auth=FeedAuth(), summary="Send a batch of feed lines",
             openapi_extra={"requestBody": {"content": {"application/x-ndjson": {"schema": {"type": "string"}}},
                                            "required": True}})
def intake(request: HttpRequest) -> Status[dict[str, Any]]:
    """Import JSON Lines from the request body (one interchange object per line), in UTF-8
    (UTF-16 is turned into it; a byte order mark is passed over).

    Lines must be for the feed's own agency. Every good line goes in; each refused line is
    returned with its number, field and reason. Sending the same batch again changes nothing.
    A body that cannot be read as lines at all (compressed, a form, chunked, empty) is refused
    whole with what to send instead, and nothing is recorded.
    """
    feed: FeedToken = request.auth  # type: ignore[attr-defined]
    body, problem = _lines_body(request)
    if problem:
        return problem
    source = f"{API_SOURCE}{feed.agency.code}:{feed.name}"
    limit = settings.LANTERN_MAX_LINE_BYTES
    lines = []
    for number, data in enumerate(body.split(b"\n"), start=1):
        data = data.removesuffix(b"\r")  # the line ending is not the line's, as in files
        if len(data) > limit:
            lines.append(too_long(source, number, data, len(data), hashlib.sha256(data).hexdigest(), limit))
        elif data.strip():
            lines.append(RawLine(source, number, data))
    run = Import(source, only_agency=feed.agency.code).lines(lines).finish()
    feed_batch_received(feed)
    # Report every line of this batch still held: held now, or held by an earlier batch and
    # held again now (and only this batch's, not the same bytes held for another feed).
    numbers: dict[str, list[int]] = {}
    for line in lines:
        numbers.setdefault(raw_hash(line), []).append(line.number)
    held = open_held_lines().filter(Q(run=run) | Q(last_run=run), raw_hash__in=list(numbers))
    return Status(200, {
        "run": run.pk,
        "counts": run.counts,
        "held": sorted(
            ({"line": number, "status": h.status, "field": h.field, "reason": h.reason}
             for h in held for number in numbers[h.raw_hash]),
            key=lambda item: item["line"],
        ),
    })


def _lines_body(request: HttpRequest) -> tuple[bytes, Status[dict[str, str]] | None]:
    """The body as UTF-8 JSON Lines, or the refusal to send when it cannot be read as lines."""
    if "HTTP_TRANSFER_ENCODING" in request.META:
        # Django reads a body by its Content-Length: a chunked body would read as nothing.
        return b"", Status(411, {"detail": "send the body with a Content-Length header, not in chunks "
                                     "(Transfer-Encoding: chunked)"})
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return b"", Status(415, {"detail": f"the body is encoded ({encoding}): send it uncompressed"})
    content_type = (request.content_type or "").lower()
    if content_type and content_type not in LINE_TYPES:
        return b"", Status(415, {"detail": f"the body is {content_type}: send JSON Lines, one interchange object per "
                                     "line, as application/x-ndjson"})
    charset = (request.content_params or {}).get("charset", "").lower()
    if charset and charset.replace("-", "").replace("_", "") not in ("utf8", "utf16"):
        return b"", Status(415, {"detail": f"the body is in {charset}: send it in UTF-8 (charset=utf-8)"})
    body = request.body
    if utf16 := sniffed_encoding(body[:SNIFFED_BYTES]):
        body = as_utf8(body, utf16)  # as a UTF-16 file is read: a unit that is not UTF-16 fails its line only
    body = body.removeprefix(codecs.BOM_UTF8)
    if not body.strip():
        return b"", Status(400, {"detail": "the body holds no lines: send one interchange object per line"})
    return body, None
