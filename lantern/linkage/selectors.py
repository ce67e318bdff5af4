"""Reads for linkage: the clustering as it stands, and ground truth to compare it with."""

from collections.abc import Iterator
from pathlib import Path

import orjson

from lantern.people.models import SourceRecord

from .exceptions import LinkageError


def clustering() -> Iterator[tuple[str, str, str]]:
    """Yield (agency, source_id, person reference) for every record, in a stable order."""
    yield from (SourceRecord.objects.order_by("agency__code", "source_id")
                .values_list("agency__code", "source_id", "person__reference").iterator(chunk_size=20_000))


def read_truth(path: Path) -> dict[tuple[str, str], str]:
    """Read a truth file (the generator's truth.jsonl: agency, source_id, person_id per line)."""
    truth = {}
    try:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    item = orjson.loads(line)
                    truth[(item["agency"], item["source_id"])] = item["person_id"]
                except (orjson.JSONDecodeError, KeyError, TypeError) as error:
                    raise LinkageError(f"{path}, line {number}: expected a JSON object with agency, source_id "
                                       f"and person_id ({error})") from error
    except OSError as error:
        raise LinkageError(f"cannot read {path}: {error.strerror}") from error
    return truth
