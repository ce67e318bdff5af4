"""POST /api/v1/intake: an agency's system sends a batch of interchange lines."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from lantern.intake.feeds import feed_batch_received, feed_for_token
from lantern.intake.held import open_held_lines
from lantern.intake.importer import Import
from lantern.intake.models import FeedToken
from lantern.intake.parsing import RawLine, over_the_limit, raw_hash

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


@router.post("", response=IntakeOut, auth=FeedAuth(), summary="Send a batch of feed lines",
             openapi_extra={"requestBody": {"content": {"application/x-ndjson": {"schema": {"type": "string"}}},
                                            "required": True}})
def intake(request: HttpRequest) -> dict[str, Any]:
    """Import JSON Lines from the request body (one interchange object per line).

    Lines must be for the feed's own agency. Every good line goes in; each refused line is
    returned with its number, field and reason. Sending the same batch again changes nothing.
    """
    feed: FeedToken = request.auth  # type: ignore[attr-defined]
    source = f"api:{feed.agency.code}:{feed.name}"
    lines = [
        RawLine(source, number, data)
        for number, data in enumerate(request.body.split(b"\n"), start=1)
        if data.strip()
    ]
    too_long = settings.LANTERN_MAX_LINE_BYTES
    lines = [line if len(line.data) <= too_long else
             RawLine(line.source, line.number, line.data[:1024], truncated=True,
                     problem=over_the_limit(len(line.data), too_long))
             for line in lines]
    run = Import(source, only_agency=feed.agency.code).lines(lines).finish()
    feed_batch_received(feed)
    # Report every line of this batch still held, including ones held by an earlier batch.
    numbers: dict[str, list[int]] = {}
    for line in lines:
        numbers.setdefault(raw_hash(line), []).append(line.number)
    held = open_held_lines().filter(raw_hash__in=list(numbers))
    return {
        "run": run.pk,
        "counts": run.counts,
        "held": sorted(
            ({"line": number, "status": h.status, "field": h.field, "reason": h.reason}
             for h in held for number in numbers[h.raw_hash]),
            key=lambda item: item["line"],
        ),
    }
