"""The generator: calibrated to the Met's figures, valid, deterministic, and realistically messy."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from importlib.resources import files
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator, FormatChecker

from lantern.intake.generator import generate, year_bounds
from lantern.intake.generator.calibration import TARGETS
from lantern.intake.generator.names import NICKNAMES
from lantern.intake.generator.reference import INWARD_LETTERS, borough_by_code, london_children
from lantern.people.validators import nhs_number_is_valid, normalise_nhs_number

from .conftest import Output, per_borough, read_output, year_figures

# ---------------------------------------------------------------------------------------------- helpers


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.jsonl"))}


def district(postcode: str) -> str:
    compact = re.sub(r"\s+", "", postcode.upper())
    return compact[:-3]


def one_edit_apart(a: str, b: str) -> bool:
    """Whether a and b differ by one substitution, insertion, deletion or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def schema(path: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(Path(path).read_text()), format_checker=FormatChecker())


# ---------------------------------------------------------------------------------------------- calibration


def test_one_london_year_matches_the_mets_figures(london_year: Output) -> None:
    first, last = year_bounds(1)[0]
    from datetime import date

    figures = year_figures(london_year, date.fromordinal(first).isoformat(), date.fromordinal(last - 1).isoformat())
    off = {name: (figures[name], target.value) for name, target in TARGETS.items()
           if name in figures and abs(figures[name] / target.value - 1) > 0.05}
    assert not off, f"more than 5% from the target (measured, target): {off}"


def test_volumes_follow_each_boroughs_child_population(london_year: Output) -> None:
    victims = per_borough(london_year, "crime", "victim")
    total = sum(victims.values())
    expected = {code: total * b.children / london_children() for code, b in borough_by_code().items()}
    codes = sorted(expected)
    xs = [expected[c] for c in codes]
    ys = [victims.get(c, 0) for c in codes]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    r = cov / (sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)) ** 0.5
    assert r > 0.99
    for code in codes:
        if borough_by_code()[code].children > 60_000:
            assert abs(victims[code] / expected[code] - 1) < 0.1, code


# ---------------------------------------------------------------------------------------------- validity


def test_every_line_follows_the_interchange_and_attribute_schemas(small: Output) -> None:
    interchange = files("lantern.intake") / "interchange"
    line_schemas = {kind: schema(str(interchange / f"{kind}.json")) for kind in ("agency", "person", "event")}
    attributes_dir = files("lantern.events") / "attribute_schemas"
    attribute_schemas = {p.name[:-5]: schema(str(p)) for p in attributes_dir.iterdir() if p.name.endswith(".json")}
    seen_types: Counter[str] = Counter()
    problems = []
    for name, lines in small.lines.items():
        for n, line in enumerate(lines, 1):
            for error in line_schemas[line["kind"]].iter_errors(line):
                problems.append(f"{name}:{n}: {error.message}")
            if line["kind"] == "event":
                seen_types[line["type"]] += 1
                for error in attribute_schemas[line["type"]].iter_errors(line.get("attributes", {})):
                    problems.append(f"{name}:{n} {line['type']} attributes: {error.message}")
                assert line.get("reported_at") is None or line["reported_at"] >= line["occurred_at"]
    assert not problems, problems[:20]
    assert set(seen_types) == set(attribute_schemas) - {"child_death"} or set(seen_types) == set(attribute_schemas)


def test_date_times_are_checked_by_the_format_checker() -> None:
    validator = schema(str(files("lantern.intake") / "interchange" / "event.json"))
    bad = {"kind": "event", "agency": "met", "source_id": "E1", "type": "crime", "occurred_at": "2025-13-40T99:00Z",
           "involvements": []}
    assert not validator.is_valid(bad)


def test_involvements_name_persons_of_the_same_agency_written_before_them(small: Output) -> None:
    for name, lines in small.lines.items():
        known: set[tuple[str, str]] = set()
        for line in lines:
            if line["kind"] == "person":
                known.add((line["agency"], line["source_id"]))
            elif line["kind"] == "event":
                for inv in line["involvements"]:
                    assert (line["agency"], inv["person_source_id"]) in known, (name, line["source_id"])
                pairs = [(inv["person_source_id"], inv["role"]) for inv in line["involvements"]]
                assert len(pairs) == len(set(pairs))


def test_truth_covers_every_person_line_exactly_once(small: Output) -> None:
    records = [(p["agency"], p["source_id"]) for p in small.persons()]
    assert len(records) == len(set(records))
    truth_lines = sum(1 for _ in (small.path / "truth.jsonl").open("rb"))
    assert truth_lines == len(small.truth) == len(records)
    assert set(records) == set(small.truth)
    assert set(small.truth.values()) == set(small.people)


def test_nhs_numbers_only_in_health_and_social_care_and_all_valid(small: Output) -> None:
    with_nhs = [p for p in small.persons() if "nhs_number" in p]
    assert with_nhs
    for p in with_nhs:
        assert p["agency"].startswith(("health-", "csc-")), p
        assert nhs_number_is_valid(normalise_nhs_number(p["nhs_number"])), p
        assert normalise_nhs_number(p["nhs_number"]) == small.people[small.truth[(p["agency"], p["source_id"])]][
            "nhs_number"]
    true_numbers = [p["nhs_number"] for p in small.people.values()]
    assert len(true_numbers) == len(set(true_numbers))


def test_postcodes_are_real_districts_of_the_records_borough(small: Output) -> None:
    boroughs = borough_by_code()
    for p in small.persons():
        if "address" in p:
            assert district(p["address"]["postcode"]) in boroughs[p["borough"]].districts, p
            assert set(p["address"]["postcode"][-2:].upper()) <= set(INWARD_LETTERS), p
    for e in small.events():
        if "location" in e and "postcode" in e["location"]:
            assert district(e["location"]["postcode"]) in boroughs[e["borough"]].districts, e


def test_events_fall_within_the_simulated_years(small: Output) -> None:
    from datetime import date

    bounds = year_bounds(2)
    first, end = date.fromordinal(bounds[0][0]).isoformat(), date.fromordinal(bounds[-1][1]).isoformat()
    for e in small.events():
        assert e["occurred_at"] < end, e
        # Only what was already running on the first day started earlier.
        assert e["occurred_at"] >= first or e["type"] in (
            "rso_registration", "child_protection_plan", "looked_after_period"), e


def test_agencies_are_registered_and_named(small: Output) -> None:
    agencies = {a["code"]: a for a in small.lines["agencies.jsonl"]}
    assert agencies["met"]["agency_kind"] == "police"
    assert agencies["probation-london"]["agency_kind"] == "probation"
    assert agencies["csc-e09000012"]["name"] == "Hackney Children's Social Care"
    assert agencies["health-e09000012"]["agency_kind"] == "health"
    schools = [a for a in agencies.values() if a["agency_kind"] == "school"]
    assert 2300 < len(schools) < 2700
    assert all(re.fullmatch(r"school-[1-9][0-9]{5}", a["code"]) for a in schools)
    used = {line["agency"] for lines in small.lines.values() for line in lines if line["kind"] != "agency"}
    assert used <= set(agencies)


# ---------------------------------------------------------------------------------------------- determinism


def test_same_arguments_give_byte_identical_files_however_many_workers(tmp_path: Path) -> None:
    args = {"years": 2, "scale": 0.05, "boroughs": "E09000012,E09000030,E09000001", "seed": 5}
    generate(tmp_path / "a", workers=2, **args)  # type: ignore[arg-type]
    generate(tmp_path / "b", workers=1, **args)  # type: ignore[arg-type]
    generate(tmp_path / "c", workers=2, **{**args, "seed": 6})  # type: ignore[arg-type]
    a, b, c = digest(tmp_path / "a"), digest(tmp_path / "b"), digest(tmp_path / "c")
    assert a == b
    assert a.keys() == c.keys()
    assert a["met.jsonl"] != c["met.jsonl"]
    assert a["agencies.jsonl"] == c["agencies.jsonl"]  # the agencies and schools are reference data


def test_a_subset_of_boroughs_gives_only_those_boroughs_in_proportion(tmp_path: Path) -> None:
    subset = ("E09000012", "E09000030")
    generate(tmp_path, years=1, scale=0.1, boroughs=",".join(subset), seed=2)
    out = read_output(tmp_path)
    assert sorted(p.name for p in tmp_path.glob("csc-*.jsonl")) == [f"csc-{c.lower()}.jsonl" for c in subset]
    for agency in out.lines["agencies.jsonl"]:
        assert agency["borough"] in (None, *subset)
    for line in out.persons() + out.events():
        assert line.get("borough") in subset, line
    share = sum(borough_by_code()[c].children for c in subset) / london_children()
    first, last = year_bounds(1)[0]
    from datetime import date

    figures = year_figures(out, date.fromordinal(first).isoformat(), date.fromordinal(last - 1).isoformat())
    for name in ("missing_episodes", "child_victims", "child_suspects", "cp_children"):
        assert abs(figures[name] / (TARGETS[name].value * 0.1 * share) - 1) < 0.05, name


def test_unknown_borough_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="E09000099"):
        call_command("generate", "--out", str(tmp_path), "--boroughs", "E09000099")


def test_command_writes_the_files_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("generate", "--out", str(tmp_path), "--scale", "0.01", "--boroughs", "E09000012", "--seed", "3")
    printed = capsys.readouterr().out
    assert "Wrote" in printed and "met.jsonl" in printed and "missing_episode" in printed
    names = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.jsonl")}
    assert names == {"agencies.jsonl", "met.jsonl", "csc-e09000012.jsonl", "schools.jsonl", "health.jsonl",
                     "probation.jsonl", "truth.jsonl", "truth/people.jsonl"}


# ---------------------------------------------------------------------------------------------- realism


def error_rates(out: Output) -> dict[str, dict[str, float]]:
    """Measure each agency kind's copies against the truth: how often each kind of error shows."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for p in out.persons():
        kind = p["agency"].split("-")[0]
        true = out.people[out.truth[(p["agency"], p["source_id"])]]
        c = counts[kind]
        c["records"] += 1
        if p.get("given_names") == "Unborn":
            continue
        given = (p.get("given_names") or "").split()
        true_given = true["given_names"].split()
        family, true_family = p.get("family_name", ""), true["family_name"]
        if given and given[0] in NICKNAMES.get(true_given[0], ()):
            c["nickname"] += 1
        if p.get("given_names") == true_family and family.split()[0] == true_given[0]:
            c["swapped"] += 1
        elif family in true["other_family_names"] or (family != true_family and family in true_family.split("-")):
            c["family_variant"] += 1
        elif one_edit_apart(family, true_family) or (given and one_edit_apart(given[0], true_given[0])):
            c["typo"] += 1
        dob, true_dob = p.get("date_of_birth"), true["date_of_birth"]
        if dob is None:
            c["dob_missing"] += 1
        elif len(dob) < 10:
            c["dob_partial"] += 1
        elif dob != true_dob and dob == f"{true_dob[:4]}-{true_dob[8:]}-{true_dob[5:7]}":
            c["dob_transposed"] += 1
        if "address" in p:
            postcode = re.sub(r"\s+", "", p["address"]["postcode"].upper())
            history = [re.sub(r"\s+", "", pc) for pc in true["postcodes"]]
            c["with_address"] += 1
            if postcode not in history:
                c["postcode_typo"] += 1
            elif postcode != history[-1]:
                c["old_address"] += 1
            if "uprn" in p["address"]:
                c["uprn"] += 1
    return {kind: {k: v / c["records"] for k, v in c.items() if k != "records"} | {"records": c["records"]}
            for kind, c in counts.items()}


def test_each_agencys_copies_carry_errors_at_realistic_rates(medium: Output) -> None:
    rates = error_rates(medium)
    police, csc, school, health = rates["met"], rates["csc"], rates["school"], rates["health"]
    for name, low, high in (("nickname", 0.01, 0.1), ("typo", 0.01, 0.08), ("swapped", 0.003, 0.05),
                            ("family_variant", 0.01, 0.1), ("dob_missing", 0.01, 0.08),
                            ("dob_partial", 0.01, 0.06), ("dob_transposed", 0.002, 0.03),
                            ("postcode_typo", 0.01, 0.06), ("old_address", 0.02, 0.3), ("uprn", 0.05, 0.3)):
        assert low <= police.get(name, 0) <= high, (name, police.get(name))
    assert school.get("dob_missing", 0) == 0 and school.get("dob_partial", 0) == 0
    assert csc["uprn"] > police["uprn"]
    assert health["nickname"] < police["nickname"]
    assert school["family_variant"] > health["family_variant"]  # schools use the name a child is known by


def test_the_same_person_is_held_by_several_agencies(medium: Output) -> None:
    kinds: dict[str, set[str]] = defaultdict(set)
    met_records: Counter[str] = Counter()
    for (agency, _), person_id in medium.truth.items():
        kinds[person_id].add(agency.split("-")[0])
        if agency == "met":
            met_records[person_id] += 1
    several = sum(len(k) >= 2 for k in kinds.values()) / len(kinds)
    three = sum(len(k) >= 3 for k in kinds.values()) / len(kinds)
    assert several > 0.08 and three > 0.01, (several, three)
    duplicated = sum(n > 1 for n in met_records.values()) / len(met_records)
    assert 0.003 < duplicated < 0.05  # the Met holds some people twice


def test_histories_are_correlated_not_independent(medium: Output) -> None:
    missing: Counter[str] = Counter()
    exploited, detained, suspects, known = set(), set(), set(), set()
    for e in medium.events("missing_episode", "exploitation_assessment", "custody_detention", "crime"):
        for inv in e["involvements"]:
            person = medium.truth[(e["agency"], inv["person_source_id"])]
            if not medium.child_on(person, e["occurred_at"]):
                continue
            known.add(person)
            if e["type"] == "missing_episode":
                missing[person] += 1
            elif e["type"] == "exploitation_assessment":
                exploited.add(person)
            elif e["type"] == "custody_detention":
                detained.add(person)
            elif inv["role"] == "suspect":
                suspects.add(person)
    repeat = {p for p, n in missing.items() if n >= 3}
    never = known - set(missing)
    assert len(exploited & repeat) / len(repeat) > 5 * len(exploited & never) / len(never)
    never_missing_suspects = suspects - set(missing)
    assert len(detained & repeat) / len(repeat) > 1.5 * len(detained & never_missing_suspects) / len(
        never_missing_suspects)


def test_domestic_abuse_happens_in_households_with_children_present(medium: Output) -> None:
    incidents = medium.events("domestic_abuse_incident")
    with_children = [e for e in incidents if medium.who(e, "child_present")]
    assert 0.2 < len(with_children) / len(incidents) < 0.7
    assert all(e["attributes"]["children_present"] for e in with_children)
    same, total = 0, 0
    for e in with_children:
        victim_home = {medium.people[p]["household_id"] for p in medium.who(e, "victim")}
        for child in medium.who(e, "child_present"):
            total += 1
            same += medium.people[child]["household_id"] in victim_home
    assert same / total > 0.8


def test_some_sex_offenders_live_where_children_live(medium: Output) -> None:
    households: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for person in medium.people.values():
        households[person["household_id"]].append(person)
    end = year_bounds(3)[-1][1]
    from datetime import date

    cutoff = date.fromordinal(end).replace(year=date.fromordinal(end).year - 18).isoformat()
    offenders = {p for e in medium.events("rso_registration") for p in medium.who(e, "offender")}
    with_children = [p for p in offenders
                     if any(m["date_of_birth"] > cutoff for m in households[medium.people[p]["household_id"]])]
    assert 0.05 < len(with_children) / len(offenders) < 0.5


def test_families_step_parents_and_children_in_care(medium: Output) -> None:
    households: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for person in medium.people.values():
        households[person["household_id"]].append(person)
    mixed_names = sum(len({m["family_name"] for m in members}) > 1 for members in households.values()
                      if len(members) > 2)
    assert mixed_names > 50  # step-parents, mothers who kept their names, half-siblings
    in_care = {p for e in medium.events("looked_after_period") for p in medium.who(e, "subject")}
    moved = sum(len(medium.people[p]["postcodes"]) > 1 for p in in_care)
    assert moved / len(in_care) > 0.5  # into a placement, and for some back home again
    assert sum(bool(p["other_family_names"]) for p in medium.people.values()) / len(medium.people) > 0.05


def test_people_persist_across_years(medium: Output) -> None:
    bounds = year_bounds(3)
    from datetime import date

    third = date.fromordinal(bounds[2][0]).isoformat()
    before: set[str] = set()
    later: set[str] = set()
    for e in medium.events():
        people = {medium.truth[(e["agency"], inv["person_source_id"])] for inv in e["involvements"]}
        (before if e["occurred_at"] < third else later).update(people)
    returning = len(later & before) / len(later)
    assert returning > 0.1


def test_names_come_from_londons_communities(medium: Output) -> None:
    from lantern.intake.generator.names import COMMUNITIES

    family_names = Counter(p["family_name"] for p in medium.people.values())
    assert len(family_names) > 3000
    present = [c.code for c in COMMUNITIES if sum(family_names[n] for n in c.surnames.names[:200]) > 10]
    assert {"en_GB", "pl_PL", "en_IN", "yo_NG", "tr_TR", "pt_PT"} <= set(present), present
