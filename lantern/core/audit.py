"""The one audit writer, and the verifier that proves the trail has not been altered.

Each entry's hash covers its own fields and the previous entry's hash, so changing,
removing or inserting any row breaks every hash after it. Writers are serialised (an
advisory lock on PostgreSQL; SQLite's write lock, taken at BEGIN IMMEDIATE) so two requests
can never chain onto the same predecessor.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connection, models, transaction
from django.utils import timezone

from .context import current_request_id
from .hashing import content_hash
from .models import AuditEntry, AuditVerb

GENESIS_HASH = "0" * 64
# An arbitrary constant naming the audit chain's PostgreSQL advisory lock.
AUDIT_LOCK_KEY = 0x4C414E54


def entry_digest(
    *, seq: int, at: datetime, actor_id: int | None, actor_label: str, verb: str,
    target_type: str, target_id: str, reason: str, request_id: str, payload: Any, prev_hash: str,
) -> str:
    """Return the SHA-256 of an entry's fields in a canonical form."""
    return content_hash(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "verb": verb,
            "target_type": target_type,
            "target_id": target_id,
            "reason": reason,
            "request_id": request_id,
            "payload": payload,
            "prev_hash": prev_hash,
        }
    )


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


def audit_write(
    *,
    actor: Any,
    verb: AuditVerb,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail and return it."""
    verb = AuditVerb(verb)  # refuses a verb that is not declared
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(getattr(target, "reference", None) or target.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Store the payload as it will read back from the database, so its hash can be checked.
    payload = orjson.loads(orjson.dumps(payload or {}, default=str))
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
        fields: dict[str, Any] = {
            "seq": (last["seq"] + 1) if last else 1,
            "at": timezone.now(),
            "actor_id": user.pk if user else None,
            "actor_label": user.get_username() if user else "system",
            "verb": str(verb),
            "target_type": target_type,
            "target_id": target_id,
            "reason": reason,
            "request_id": current_request_id.get(),
            "payload": payload,
            "prev_hash": last["hash"] if last else GENESIS_HASH,
        }
        return AuditEntry.objects.create(hash=entry_digest(**fields), **fields)


@dataclass(frozen=True)
class ChainReport:
    """What `verify_chain` found: how many entries, the head hash, and the first fault."""

    entries: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def _entries_in_order() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=5000)


def verify_chain(progress: Any = None) -> ChainReport:
    """Walk the whole trail and report the first entry that breaks the chain."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in _entries_in_order():
        count += 1
        if progress is not None:
            progress()
        problem = ""
        if entry.seq != expected_seq:
            problem = f"expected entry #{expected_seq} next but found #{entry.seq} (removed or inserted)"
        elif entry.prev_hash != prev_hash:
            problem = "its link to the previous entry does not match (an earlier row was changed)"
        elif entry.hash != entry_digest(
            seq=entry.seq, at=entry.at, actor_id=entry.actor_id, actor_label=entry.actor_label,
            verb=entry.verb, target_type=entry.target_type, target_id=entry.target_id,
            reason=entry.reason, request_id=entry.request_id, payload=entry.payload,
            prev_hash=entry.prev_hash,
        ):
            problem = "its contents do not match its hash (this row was changed)"
        if problem:
            return ChainReport(count, prev_hash, first_bad_seq=entry.seq, problem=problem)
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    return ChainReport(count, prev_hash)
