"""Load a generated synthetic London set as linkage features and ground truth, without a database.

Person lines are cleaned exactly as the importer cleans them (lantern.people.content),
then turned into features by lantern.linkage.features, so the benchmark links what
Lantern itself would hold.
"""

import os
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.test")

import django  # noqa: E402

django.setup()

from lantern.linkage.features import record_features  # noqa: E402
from lantern.people.content import parse_partial_date, person_content  # noqa: E402


def load(directory: Path, limit: int | None = None) -> tuple[list[dict], dict[int, str], list[tuple[str, str]]]:
    """Return (feature rows, true person id by row id, (agency, source_id) by row id)."""
    truth = {}
    with (directory / "truth.jsonl").open("rb") as handle:
        for line in handle:
            item = orjson.loads(line)
            truth[(item["agency"], item["source_id"])] = item["person_id"]
    rows, true_person, keys = [], {}, []
    for path in sorted(directory.glob("*.jsonl")):
        if path.name.startswith("truth") or path.name == "agencies.jsonl":
            continue
        with path.open("rb") as handle:
            for line in handle:
                if b'"kind":"person"' not in line:
                    continue
                data = orjson.loads(line)
                data.pop("kind")
                agency, source_id = data.pop("agency"), data.pop("source_id")
                for extra in ("source_system", "legal_basis", "borough", "restricted"):
                    data.pop(extra, None)
                arrived, _ = person_content(data, restricted=False, legal_basis="", source_system="", borough_code=None)
                year, month, day = parse_partial_date(arrived["date_of_birth"])
                row_id = len(rows) + 1
                rows.append(record_features({
                    "id": row_id, "given_names": arrived["given_names"], "family_name": arrived["family_name"],
                    "aliases": arrived["aliases"], "dob_year": year, "dob_month": month, "dob_day": day,
                    "sex": arrived["sex"], "postcode": arrived["address"]["postcode"],
                    "uprn": arrived["address"]["uprn"], "nhs_number": arrived["nhs_number"],
                }))
                true_person[row_id] = truth[(agency, source_id)]
                keys.append((agency, source_id))
                if limit and len(rows) >= limit:
                    return rows, true_person, keys
    return rows, true_person, keys
