"""An imported feed runs the rules on its new and changed events; events older than the window wait for a replay."""

from datetime import timedelta
from pathlib import Path

import orjson
from django.utils import timezone

from lantern.intake.importer import import_paths
from lantern.safeguarding.engine import rules_replay
from lantern.safeguarding.models import Notification, RuleFiring


def _feed(path: Path, occurred: str) -> Path:
    lines = [
        {"kind": "agency", "code": "met", "name": "Metropolitan Police Service", "agency_kind": "police",
         "borough": None},
        {"kind": "agency", "code": "csc-e09000012", "name": "Hackney Children's Social Care",
         "agency_kind": "childrens_social_care", "borough": "E09000012"},
        {"kind": "person", "agency": "met", "source_id": "MP1", "given_names": "Kai", "family_name": "Morgan",
         "date_of_birth": "2011-01-31", "sex": "male", "borough": "E09000012", "legal_basis": "dpa2018_part3",
         "address": {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP"}},
        {"kind": "event", "agency": "met", "source_id": "CU1", "type": "custody_detention", "occurred_at": occurred,
         "borough": "E09000012", "involvements": [{"person_source_id": "MP1", "role": "detainee"}],
         "attributes": {"detained_at": occurred, "charged": False, "bail_decision": "no_further_action"}},
    ]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def test_a_recent_event_imported_fires_at_once_and_a_second_import_adds_nothing(db, tmp_path):
    recent = (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = _feed(tmp_path / "met.jsonl", recent)
    import_paths([feed], workers=1)
    assert Notification.objects.filter(kind="custody_la").count() == 1
    import_paths([feed], workers=1)
    assert Notification.objects.filter(kind="custody_la").count() == 1
    assert sum(rules_replay().fired.values()) == 0


def test_an_old_event_imported_waits_for_a_replay(db, tmp_path):
    feed = _feed(tmp_path / "met.jsonl", "2020-01-01T10:00:00Z")
    import_paths([feed], workers=1)
    assert not RuleFiring.objects.exists()
    assert rules_replay().fired["custody_la"] == 1
