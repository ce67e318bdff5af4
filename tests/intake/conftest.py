"""Shared generated data for the generator's tests: each size is generated once per test session."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson
import pytest

from lantern.intake.generator import generate


@dataclass
class Output:
    """A generated directory, read back: lines by file, people by record, true identities."""

    path: Path
    lines: dict[str, list[dict]] = field(default_factory=dict)  # type: ignore[type-arg]
    truth: dict[tuple[str, str], str] = field(default_factory=dict)  # (agency, source_id) -> person_id
    people: dict[str, dict] = field(default_factory=dict)  # type: ignore[type-arg]

    def events(self, *types: str) -> list[dict]:  # type: ignore[type-arg]
        wanted = set(types)
        return [line for name, lines in self.lines.items() if name not in {"agencies.jsonl", "truth.jsonl"}
                for line in lines if line["kind"] == "event" and (not wanted or line["type"] in wanted)]

    def persons(self) -> list[dict]:  # type: ignore[type-arg]
        return [line for name, lines in self.lines.items() if name not in {"agencies.jsonl", "truth.jsonl"}
                for line in lines if line["kind"] == "person"]

    def who(self, event: dict, role: str) -> list[str]:  # type: ignore[type-arg]
        """True person ids of the people with `role` in an event."""
        return [self.truth[(event["agency"], inv["person_source_id"])] for inv in event["involvements"]
                if inv["role"] == role]

    def child_on(self, person_id: str, when: str) -> bool:
        """Whether a true person was under 18 on the date of an RFC 3339 timestamp."""
        born = date.fromisoformat(self.people[person_id]["date_of_birth"])
        day = date.fromisoformat(when[:10])
        try:
            eighteenth = born.replace(year=born.year + 18)
        except ValueError:
            eighteenth = date(born.year + 18, 3, 1)
        return born <= day < eighteenth


CALIBRATED_TYPES = frozenset({"missing_episode", "child_protection_plan", "rso_registration", "custody_detention",
                              "crime", "exploitation_assessment", "iioc_investigation"})
_TYPE = re.compile(rb'"type":"([a-z_]+)"')
_BORN = re.compile(rb'^\{"person_id":"([^"]+)".*"date_of_birth":"([^"]+)"')


def read_output(path: Path, persons: bool = True, types: frozenset[str] | None = None) -> Output:
    """Read a generated directory.

    For speed, `persons=False` skips person lines and keeps only each true person's date of birth,
    and `types` keeps only events of those types (the calibration needs no more).
    """
    out = Output(path)
    loads = orjson.loads
    wanted = {t.encode() for t in types} if types is not None else None
    for file in sorted(path.glob("*.jsonl")):
        with file.open("rb") as handle:
            if file.name == "truth.jsonl":
                for line in handle:
                    row = loads(line)
                    out.truth[(row["agency"], row["source_id"])] = row["person_id"]
            elif persons or file.name == "agencies.jsonl":
                out.lines[file.name] = [loads(line) for line in handle]
            else:
                out.lines[file.name] = [
                    loads(line) for line in handle if line.startswith(b'{"kind":"event"')
                    and (wanted is None or _TYPE.search(line, 0, 200).group(1) in wanted)]  # type: ignore[union-attr]
    with (path / "truth" / "people.jsonl").open("rb") as handle:
        if persons:
            for line in handle:
                row = loads(line)
                out.people[row["person_id"]] = row
        else:
            for line in handle:
                found = _BORN.match(line)
                out.people[found.group(1).decode()] = {"date_of_birth": found.group(2).decode()}  # type: ignore[union-attr]
    return out


def year_figures(out: Output, first: str, last: str) -> dict[str, float]:
    """Count the calibrated figures for the year from `first` to `last` (ISO dates, inclusive)."""
    end = last + "T99"

    def in_year(event: dict) -> bool:  # type: ignore[type-arg]
        return first <= event["occurred_at"] < end

    figures: dict[str, float] = {}
    missing = [e for e in out.events("missing_episode") if in_year(e)
               and any(out.child_on(p, e["occurred_at"]) for p in out.who(e, "missing_person"))]
    figures["missing_episodes"] = len(missing)
    figures["missing_high_share"] = sum(e["attributes"]["risk_grade"] == "high" for e in missing) / len(missing)
    on_plan = set()
    for e in out.events("child_protection_plan"):
        a = e["attributes"]
        if a["start_date"] <= last and (a.get("end_date") is None or a["end_date"] >= first):
            on_plan.update(out.who(e, "subject"))
    figures["cp_children"] = len(on_plan)
    rso = set()
    for e in out.events("rso_registration"):
        a = e["attributes"]
        if a["notification_start"] <= last and (a.get("notification_end") is None or a["notification_end"] >= last):
            rso.update(out.who(e, "offender") + out.who(e, "subject"))
    figures["rso_active"] = len(rso)
    figures["custody_children"] = sum(
        1 for e in out.events("custody_detention") if in_year(e)
        and any(out.child_on(p, e["occurred_at"]) for p in out.who(e, "detainee")))
    crimes = [e for e in out.events("crime") if in_year(e)]
    victims: set[str] = set()
    suspects: set[str] = set()
    for e in crimes:
        victims.update(p for p in out.who(e, "victim") if out.child_on(p, e["occurred_at"]))
        suspects.update(p for p in out.who(e, "suspect") if out.child_on(p, e["occurred_at"]))
    figures["child_victims"] = len(victims)
    figures["child_suspects"] = len(suspects)
    abuse = [e for e in crimes if e["attributes"].get("child_abuse") is True]
    figures["child_abuse_crimes"] = len(abuse)
    figures["child_sexual_abuse_crimes"] = sum(e["attributes"]["category"] in ("sexual", "rape") for e in abuse)
    rapes = [e for e in crimes if e["attributes"]["category"] == "rape"]
    figures["rape_domestic_share"] = sum(e["attributes"].get("domestic_setting") is True for e in rapes) / len(rapes)
    cse = set()
    for e in out.events("exploitation_assessment"):
        if in_year(e) and e["attributes"]["exploitation_type"] in ("sexual", "both"):
            cse.update(out.who(e, "subject"))
    figures["cse_children"] = len(cse)
    iioc = set()
    for e in out.events("iioc_investigation"):
        if in_year(e):
            iioc.update(out.who(e, "suspect"))
    figures["iioc_suspects"] = len(iioc)
    return figures


def per_borough(out: Output, event_type: str, role: str) -> Counter[str]:
    """Distinct children in a role in events of a type, by the event's borough."""
    seen: dict[str, set[str]] = defaultdict(set)
    for e in out.events(event_type):
        for p in out.who(e, role):
            if out.child_on(p, e["occurred_at"]):
                seen[e["borough"]].add(p)
    return Counter({code: len(people) for code, people in seen.items()})


_CACHE: dict[tuple, Output] = {}  # type: ignore[type-arg]


def generated(tmp_path_factory: pytest.TempPathFactory, persons: bool = True,
              types: frozenset[str] | None = None, **kwargs: object) -> Output:
    key = (persons, types, *sorted(kwargs.items()))
    if key not in _CACHE:
        path = tmp_path_factory.mktemp("generated")
        generate(path, **kwargs)  # type: ignore[arg-type]
        _CACHE[key] = read_output(path, persons=persons, types=types)
    return _CACHE[key]


@pytest.fixture(scope="session")
def london_year(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """All of London, one year, scale 1.0: the calibration run (events only; person lines skipped)."""
    return generated(tmp_path_factory, persons=False, types=CALIBRATED_TYPES, years=1, scale=1.0,
                     boroughs="all", seed=1)


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """A small run over two years, every line of which the schema tests check."""
    return generated(tmp_path_factory, years=2, scale=0.008, boroughs="all", seed=7)


@pytest.fixture(scope="session")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """A tenth of London over three years: enough records to measure the error and history rates."""
    return generated(tmp_path_factory, years=3, scale=0.1, boroughs="all", seed=3)
