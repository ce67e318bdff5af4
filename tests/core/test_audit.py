"""The audit trail is hash-chained, and any alteration is found and named."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from lantern.core.audit import GENESIS_HASH, audit_write, verify_chain
from lantern.core.models import AuditEntry, AuditVerb
from tests.factories import UserFactory


@pytest.fixture
def trail(db):
    user = UserFactory()
    for n in range(5):
        audit_write(actor=user, verb=AuditVerb.PERSON_VIEW, target_type="people.person",
                    target_id=f"P{n}", reason="", payload={"n": n, "nested": {"b": 1, "a": [1.5, "x"]}})
    return list(AuditEntry.objects.order_by("seq"))


def tamper(sql: str, params: list) -> None:
    """Change the table behind the writer's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch triggers off for the session; the chain must still tell.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_entries_chain_from_genesis(trail):
    assert [e.seq for e in trail] == [1, 2, 3, 4, 5]
    assert trail[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(trail, trail[1:], strict=False))
    report = verify_chain()
    assert report.ok and report.entries == 5 and report.head_hash == trail[-1].hash


def test_changed_row_is_found(trail):
    tamper("UPDATE core_auditentry SET reason = %s WHERE seq = %s", ["edited", 3])
    report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, 3)
    assert "changed" in report.problem


def test_changed_payload_is_found(trail):
    tamper("UPDATE core_auditentry SET target_id = %s WHERE seq = %s", ["P99", 2])
    assert verify_chain().first_bad_seq == 2


def test_removed_row_is_found(trail):
    tamper("DELETE FROM core_auditentry WHERE seq = %s", [2])
    report = verify_chain()
    assert report.first_bad_seq == 3
    assert "removed or inserted" in report.problem


def test_row_inserted_out_of_order_is_found(trail):
    forged = trail[2]
    tamper(
        "UPDATE core_auditentry SET seq = seq + 100 WHERE seq >= %s", [3]
    )
    tamper(
        "INSERT INTO core_auditentry (seq, at, actor_id, actor_label, verb, target_type, target_id,"
        " reason, request_id, payload, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s,"
        " %s, %s, %s)",
        [3, forged.at, forged.actor_id, "forger", forged.verb, "people.person", "X", "", "", "{}",
         trail[1].hash, "f" * 64],
    )
    assert verify_chain().first_bad_seq == 3


def test_rehashed_row_breaks_the_next_link(trail):
    # Someone who edits a row and recomputes its own hash still breaks the link after it.
    from lantern.core.audit import entry_digest

    entry = trail[1]
    new_hash = entry_digest(
        seq=entry.seq, at=entry.at, actor_id=entry.actor_id, actor_label=entry.actor_label,
        verb=entry.verb, target_type=entry.target_type, target_id="EDITED", reason=entry.reason,
        request_id=entry.request_id, payload=entry.payload, prev_hash=entry.prev_hash,
    )
    tamper("UPDATE core_auditentry SET target_id = %s, hash = %s WHERE seq = %s",
           ["EDITED", new_hash, 2])
    report = verify_chain()
    assert report.first_bad_seq == 3
    assert "previous entry" in report.problem


def test_verify_command_passes_and_fails(trail, capsys):
    call_command("audit", "verify", verbosity=0)
    assert "intact: 5 entries" in capsys.readouterr().out

    tamper("UPDATE core_auditentry SET actor_label = %s WHERE seq = %s", ["someone-else", 4])
    with pytest.raises(CommandError, match="broken at entry #4"):
        call_command("audit", "verify", verbosity=0)


def test_verify_command_exits_non_zero_from_the_shell(trail):
    tamper("DELETE FROM core_auditentry WHERE seq = %s", [1])
    with pytest.raises(SystemExit) as exit_info:
        from lantern.cli import main

        main(["audit", "verify"])
    assert exit_info.value.code == 1


def test_expect_entry_catches_entries_removed_from_the_end(trail, capsys):
    call_command("audit", "verify", verbosity=0)
    noted = capsys.readouterr().out.split("--expect-entry ")[1].split()[0]
    audit_write(actor=None, verb=AuditVerb.EXPORT)  # the trail grows: still fine
    call_command("audit", "verify", "--expect-entry", noted, verbosity=0)

    tamper("DELETE FROM core_auditentry WHERE seq >= %s", [5])
    assert verify_chain().ok  # the chain alone cannot tell its tail was cut
    with pytest.raises(CommandError, match="Entry #5 noted earlier is missing"):
        call_command("audit", "verify", "--expect-entry", noted, verbosity=0)


def test_request_id_is_recorded(db):
    from lantern.core.context import current_request_id

    token = current_request_id.set("req-12345678")
    try:
        entry = audit_write(actor=None, verb=AuditVerb.EXPORT)
    finally:
        current_request_id.reset(token)
    assert entry.request_id == "req-12345678"
    assert entry.actor_label == "system"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize("sql", ["UPDATE core_auditentry SET reason = 'x'",
                                 "DELETE FROM core_auditentry"])
def test_postgresql_refuses_update_and_delete(trail, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():  # noqa: SIM117
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_no_code_path_updates_or_deletes_audit_rows():
    """Nothing in lantern/ calls update/delete/save on an existing audit row."""
    from pathlib import Path

    import lantern

    changes_rows = re.compile(r"AuditEntry\.objects\.[^\n]*\.(update|delete|bulk_update|raw)\(")
    offenders = [
        f"{path}:{number}"
        for path in Path(lantern.__file__).parent.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if changes_rows.search(line) or ("core_auditentry" in line and "migrations" not in str(path))
    ]
    assert offenders == []
