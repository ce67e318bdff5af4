"""Real-time linking latency against a large index, with Splink's predict_between as the baseline.

Prepare the database once (it takes minutes at a million records), then measure:

    LANTERN_DATA_DIR=/tmp/rt/db lantern import /tmp/rt/feed     # about a million person lines
    LANTERN_DATA_DIR=/tmp/rt/db lantern link                     # train, link, build the index
    LANTERN_DATA_DIR=/tmp/rt/db python bench/linkage/realtime_bench.py /tmp/rt/probes.jsonl

`probes.jsonl` holds person lines that were held back from the import: each is received
through the same service forms and the API use (`source_record_receive`), which validates,
saves, links and audits the record, and is then rolled back so every probe meets the same
index. The linking step alone (candidates from the index, then scoring) is timed too. The
baseline, in the same run, scores a probe against the whole index with Splink's
`predict_between` on DuckDB, which is what the Splink documentation offers for this.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from lantern.linkage import realtime  # noqa: E402
from lantern.linkage.features import RECORD_COLUMNS, record_features  # noqa: E402
from lantern.organisations.models import Agency  # noqa: E402
from lantern.people.content import parse_partial_date, person_content  # noqa: E402
from lantern.people.models import SourceRecord  # noqa: E402
from lantern.people.services import source_record_receive  # noqa: E402

PERSON_FIELDS = ("given_names", "family_name", "aliases", "date_of_birth", "sex", "address", "nhs_number",
                 "phone", "email", "school_urn")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (f"p50 {at(0.50):6.1f} ms  p95 {at(0.95):6.1f} ms  p99 {at(0.99):6.1f} ms  "
            f"max {ordered[-1] * 1000:6.1f} ms  (n={len(ordered)})")


def read_probes(path: Path, limit: int) -> list[dict]:
    probes = []
    for line in path.read_bytes().splitlines()[:limit]:
        item = orjson.loads(line)
        probes.append(item)
    return probes


def probe_features(item: dict) -> dict:
    arrived, _ = person_content({k: item.get(k) for k in PERSON_FIELDS if k in item}, restricted=False,
                                legal_basis="", source_system="", borough_code=None)
    year, month, day = parse_partial_date(arrived["date_of_birth"])
    return record_features({"id": -1, "given_names": arrived["given_names"], "family_name": arrived["family_name"],
                            "aliases": arrived["aliases"], "dob_year": year, "dob_month": month, "dob_day": day,
                            "sex": arrived["sex"], "postcode": arrived["address"]["postcode"],
                            "uprn": arrived["address"]["uprn"], "nhs_number": arrived["nhs_number"]})


def time_service(probes: list[dict]) -> list[float]:
    agencies = {a.code: a for a in Agency.objects.all()}
    samples = []
    for item in probes:
        data = {k: item[k] for k in PERSON_FIELDS if k in item}
        started = time.perf_counter()
        with transaction.atomic():
            source_record_receive(agency=agencies[item["agency"]], source_id=f"probe-{item['source_id']}", data=data)
            samples.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return samples


def time_linking(probes: list[dict]) -> list[float]:
    active = realtime.active_scorer()
    assert active is not None, "run `lantern link` first"
    _, scorer = active
    samples = []
    for item in probes:
        features = probe_features(item)
        started = time.perf_counter()
        candidates = [c for group in realtime.find_candidates([features]).values() for c in group]
        realtime.decide(features, candidates, scorer)
        samples.append(time.perf_counter() - started)
    return samples


def time_predict_between(probes: list[dict], calls: int) -> list[float]:
    """Splink's own incremental linking: one new record against the whole index."""
    import logging

    from splink import DuckDBAPI, Linker

    from lantern.linkage.model import TrainedModel, features_table
    from lantern.linkage.models import LinkageModel

    model = TrainedModel.from_dict(LinkageModel.objects.get(active=True).parameters)
    rows = [record_features(dict(zip(RECORD_COLUMNS, values, strict=True)))
            for values in SourceRecord.objects.values_list(*RECORD_COLUMNS).iterator(chunk_size=20_000)]
    db_api = DuckDBAPI()
    index = db_api.register(features_table(rows), table_name="existing")
    linker = Linker(index, model.settings, log_level=logging.WARNING)
    for column in ("given_name", "family_name"):
        linker.table_management.compute_tf_table(column)
    samples = []
    for number, item in enumerate(probes[:calls]):
        new = db_api.register(features_table([{**probe_features(item), "unique_id": -1 - number}]),
                              table_name=f"probe_{number}")
        started = time.perf_counter()
        linker.inference.predict_between(new, index, threshold_match_probability=0.5).as_pyarrow_table()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("probes", type=Path)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--baseline-calls", type=int, default=50)
    args = parser.parse_args()
    probes = read_probes(args.probes, args.limit)
    records = SourceRecord.objects.count()
    print(f"Index: {records:,} source records on {connection.vendor}; {len(probes):,} probes")
    time_linking(probes[:50])  # warm the caches (model, names) as a running server would have them
    print(f"Linking step (candidates + scoring): {percentiles(time_linking(probes))}")
    print(f"Whole service call (validate, save, link, audit): {percentiles(time_service(probes))}")
    print(f"Baseline, Splink predict_between: {percentiles(time_predict_between(probes, args.baseline_calls))}")


if __name__ == "__main__":
    main()
