"""One scoring engine for every risk instrument; the instruments themselves are configuration.

Each file in `instruments/` is one version of one instrument (`<code>-<version>.toml`), checked
against `instrument.schema.json` and then for the things a schema cannot see (a question that
names an undeclared section, a referral that tests an unknown grade). Scoring, grades,
referrals and constraints use the small vocabulary below and nothing else, so a new
instrument or version is a new file, never new code. See docs/risk-instruments.md.
"""

import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

INSTRUMENT_DIR = Path(__file__).resolve().parent / "instruments"
SCHEMA_FILE = files("lantern.risk") / "instrument.schema.json"


class InstrumentError(Exception):
    """An instrument file is broken: the message names the file and the field."""


class UnknownInstrument(LookupError):
    """No instrument (or no such version of it) is configured."""


# The context: what the records (or the assessor) know beyond the answers ---------------------

@dataclass(frozen=True)
class AssessmentContext:
    """Facts about the person that rules may test, derived from the records or given by the assessor."""

    age: int | None = None
    learning_disability: bool = False
    exploitation_marker: bool = False
    da_incidents_12_months: int = 0
    marac_referral_within_12_months: bool = False
    charged: bool | None = None
    bail_refused: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> tuple["AssessmentContext", dict[str, str]]:
        """Build a context from JSON-like data; return it with problems keyed `context.<field>`."""
        problems: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in data.items():
            kind = CONTEXT_KINDS.get(name)
            if kind is None:
                problems[f"context.{name}"] = (f"{name!r} is not something an assessment knows; "
                                               f"use one of {', '.join(CONTEXT_KINDS)}")
            elif not _fits(value, kind):
                problems[f"context.{name}"] = f"{name} must be {KIND_WORDS[kind]}"
            else:
                values[name] = value
        return cls(**values), problems


# Each context field's kind: "int" or "bool", with "?" when it may be unknown (null).
CONTEXT_KINDS = {
    "age": "int?", "learning_disability": "bool", "exploitation_marker": "bool", "da_incidents_12_months": "int",
    "marac_referral_within_12_months": "bool", "charged": "bool?", "bail_refused": "bool?",
}
KIND_WORDS = {"int?": "a whole number or null", "int": "a whole number", "bool": "true or false",
              "bool?": "true, false or null"}


def _fits(value: Any, kind: str) -> bool:
    if value is None:
        return kind.endswith("?")
    if kind.startswith("bool"):
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class ContextQuestion:
    """How the form asks the assessor for a fact the records cannot know."""

    label: str
    hint: str = ""


# What an instrument may list under `asks`: facts only the assessor can give.
ASKABLE: dict[str, ContextQuestion] = {
    "learning_disability": ContextQuestion(
        "Does the person have a learning disability?",
        "Include a diagnosed learning disability or one that professionals working with them describe."),
    "charged": ContextQuestion("Has the child been charged?"),
    "bail_refused": ContextQuestion("Has bail been refused after charge?",
                                    "Answer no if bail has not yet been decided."),
}
CONTEXT_FIELDS = frozenset(f.name for f in fields(AssessmentContext))


# The instrument, as loaded from its file ------------------------------------------------------

@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Section:
    id: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    number: int
    text: str
    hint: str = ""
    section: str = ""
    scored: bool = True
    points: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    hint: str = ""
    min_score: float | None = None


@dataclass(frozen=True)
class Rule:
    """A declared rule: a referral, a grade floor or a constraint, with its condition."""

    when: Mapping[str, Any]
    reason: str
    code: str = ""
    label: str = ""
    grades: tuple[str, ...] = ()
    needs_rationale: bool = False


@dataclass(frozen=True)
class Instrument:
    """One version of one risk instrument."""

    code: str
    name: str
    version: str
    source: str
    status: str
    summary: str
    notes: str
    grade_chosen_by: str
    asks: tuple[str, ...]
    options: tuple[Option, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    method: str
    count_value: str
    default_points: Mapping[str, float]
    grades: tuple[Grade, ...]
    floors: tuple[Rule, ...]
    referrals: tuple[Rule, ...]
    constraints: tuple[Rule, ...]
    path: Path
    digest: str

    @property
    def title(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def live(self) -> bool:
        return self.status == "live"

    @property
    def assessor_grades(self) -> bool:
        return self.grade_chosen_by == "assessor"

    @property
    def rationale_grades(self) -> tuple[str, ...]:
        """Return the grades that need a written rationale."""
        return tuple(g for rule in self.constraints if rule.needs_rationale for g in rule.grades)

    def grade(self, code: str) -> Grade | None:
        return next((g for g in self.grades if g.code == code), None)

    def grade_label(self, code: str) -> str:
        found = self.grade(code)
        return found.label if found else code

    def rank(self, code: str) -> int:
        return next(i for i, g in enumerate(self.grades) if g.code == code)

    def section_label(self, section_id: str) -> str:
        return next((s.label for s in self.sections if s.id == section_id), section_id)

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)

    def questions_by_section(self) -> list[tuple[Section | None, list[Question]]]:
        """Return the questions grouped by section, in the file's order."""
        groups: list[tuple[Section | None, list[Question]]] = []
        for question in self.questions:
            section = next((s for s in self.sections if s.id == question.section), None)
            if not groups or groups[-1][0] != section:
                groups.append((section, []))
            groups[-1][1].append(question)
        return groups

    def referral_label(self, code: str) -> str:
        return next((r.label for r in self.referrals if r.code == code), code)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order versions naturally: 2 before 10, 2009 before 2026.1."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-_]", version))


# Loading and checking the files ---------------------------------------------------------------

@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _where(path: Any) -> str:
    return "/".join(str(part) for part in path) or "(top level)"


def _read(path: Path) -> Instrument:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise InstrumentError(f"{path.name}: not valid TOML: {problem}") from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise InstrumentError("; ".join(f"{path.name}: {_where(e.absolute_path)}: {e.message}" for e in errors))
    built = _build(data, path, hashlib.sha256(raw).hexdigest())
    problems = _check(built, data)
    if problems:
        raise InstrumentError("; ".join(f"{path.name}: {where}: {message}" for where, message in problems))
    return built


def _rules(items: list[dict[str, Any]], key: str) -> tuple[Rule, ...]:
    return tuple(Rule(when=item.get(key, {}), reason=item.get("reason", item.get("message", "")),
                      code=item.get("code", item.get("grade", "")), label=item.get("label", ""),
                      grades=tuple(item.get("grades", ())), needs_rationale=bool(item.get("needs_rationale")))
                 for item in items)


def _build(data: dict[str, Any], path: Path, digest: str) -> Instrument:
    scoring = data["scoring"]
    return Instrument(
        code=data["code"], name=data["name"], version=data["version"], source=data["source"],
        status=data["status"], summary=data.get("summary", ""), notes=data.get("notes", ""),
        grade_chosen_by=data.get("grade_chosen_by", "score"), asks=tuple(data.get("asks", ())),
        options=tuple(Option(**o) for o in data["answer_options"]),
        sections=tuple(Section(**s) for s in data.get("sections", ())),
        questions=tuple(Question(number=n, **q) for n, q in enumerate(data["questions"], start=1)),
        method=scoring["method"], count_value=scoring.get("value", ""),
        default_points=scoring.get("points", {}),
        grades=tuple(Grade(**g) for g in data["grades"]),
        floors=_rules(data.get("grade_floors", []), "when"),
        referrals=_rules(data.get("referrals", []), "when"),
        constraints=_rules(data.get("constraints", []), "refuse_when"),
        path=path, digest=digest,
    )


def _check(inst: Instrument, data: dict[str, Any]) -> list[tuple[str, str]]:
    """Return what the schema cannot catch, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if inst.path.stem != f"{inst.code}-{inst.version}":
        problems.append(("code", f"the file should be named {inst.code}-{inst.version}.toml"))
    values = [o.value for o in inst.options]
    grade_codes = [g.code for g in inst.grades]
    section_ids = [s.id for s in inst.sections]
    question_ids = [q.id for q in inst.questions]
    for label, items in (("answer_options", values), ("grades", grade_codes), ("sections", section_ids),
                         ("questions", question_ids)):
        for index, item in enumerate(items):
            if item in items[:index]:
                problems.append((f"{label}/{index}", f"{item!r} is declared twice"))
    for index, question in enumerate(inst.questions):
        if question.section and question.section not in section_ids:
            problems.append((f"questions/{index}/section", f"{question.section!r} is not a declared section"))
        problems += [(f"questions/{index}/points", f"{v!r} is not an answer option")
                     for v in question.points if v not in values]
    if inst.method == "count" and inst.count_value not in values:
        problems.append(("scoring/value", f"{inst.count_value!r} is not an answer option"))
    problems += [("scoring/points", f"{v!r} is not an answer option") for v in inst.default_points if v not in values]
    thresholds = [g.min_score for g in inst.grades]
    if inst.grade_chosen_by == "score":
        if any(t is None for t in thresholds):
            problems.append(("grades", "every grade needs min_score when the score decides the grade"))
        elif thresholds != sorted(set(thresholds)):  # type: ignore[type-var]
            problems.append(("grades", "min_score must rise from the lowest grade to the highest"))
    for index, name in enumerate(inst.asks):
        if name not in ASKABLE:
            problems.append((f"asks/{index}", f"{name!r} is not something the assessor can be asked; "
                                              f"use one of {', '.join(ASKABLE)}"))
    for key, rules in (("grade_floors", inst.floors), ("referrals", inst.referrals),
                       ("constraints", inst.constraints)):
        for index, rule in enumerate(rules):
            where = f"{key}/{index}"
            if key == "grade_floors" and rule.code not in grade_codes:
                problems.append((f"{where}/grade", f"{rule.code!r} is not a grade"))
            problems += [(f"{where}/grades", f"{g!r} is not a grade") for g in rule.grades if g not in grade_codes]
            if rule.when:
                problems += _check_condition(rule.when, f"{where}/{'refuse_when' if key == 'constraints' else 'when'}",
                                             inst, values, grade_codes, section_ids)
    return problems


def _check_condition(condition: Mapping[str, Any], where: str, inst: Instrument, values: list[str],
                     grade_codes: list[str], section_ids: list[str]) -> list[tuple[str, str]]:
    ((test, argument),) = condition.items()
    here = f"{where}/{test}"
    if test in ("all", "any"):
        return [p for i, c in enumerate(argument)
                for p in _check_condition(c, f"{here}/{i}", inst, values, grade_codes, section_ids)]
    if test == "not":
        return _check_condition(argument, here, inst, values, grade_codes, section_ids)
    problems = []
    if test == "grade_in":
        problems += [(here, f"{g!r} is not a grade") for g in argument if g not in grade_codes]
    elif test == "grade_at_least" and argument not in grade_codes:
        problems.append((here, f"{argument!r} is not a grade"))
    elif test == "section_at_least" and argument["section"] not in section_ids:
        problems.append((f"{here}/section", f"{argument['section']!r} is not a declared section"))
    elif test == "answer_in":
        if argument["question"] not in {q.id for q in inst.questions}:
            problems.append((f"{here}/question", f"{argument['question']!r} is not a question"))
        problems += [(f"{here}/values", f"{v!r} is not an answer option") for v in argument["values"]
                     if v not in values]
    elif test == "context_true" and argument not in CONTEXT_FIELDS:
        problems.append((here, f"{argument!r} is not a context field; use one of {', '.join(sorted(CONTEXT_FIELDS))}"))
    elif test in ("context_at_least", "context_below") and argument["field"] not in CONTEXT_FIELDS:
        problems.append((f"{here}/field", f"{argument['field']!r} is not a context field"))
    return problems


@cache
def _load(directory: Path) -> dict[tuple[str, str], Instrument]:
    found: dict[tuple[str, str], Instrument] = {}
    for path in sorted(directory.glob("*.toml")):
        instrument_ = _read(path)
        key = (instrument_.code, instrument_.version)
        if key in found:
            raise InstrumentError(f"{path.name}: version: {instrument_.code} {instrument_.version} "
                                  f"is also declared in {found[key].path.name}")
        found[key] = instrument_
    return found


def forget_instruments() -> None:
    """Forget the files read so far, so the next look-up reads them again (after adding a version)."""
    _load.cache_clear()


def load_instruments(directory: Path | str | None = None) -> list[Instrument]:
    """Return every instrument version configured, by code and then version (read once, then cached)."""
    loaded = _load(Path(directory or INSTRUMENT_DIR).resolve())
    return sorted(loaded.values(), key=lambda i: (i.code, version_key(i.version)))


def live_instruments(directory: Path | str | None = None) -> list[Instrument]:
    """Return the latest live version of each instrument, by name."""
    latest: dict[str, Instrument] = {}
    for found in load_instruments(directory):
        if found.live:
            latest[found.code] = found  # sorted by version, so the last one wins
    return sorted(latest.values(), key=lambda i: i.name)


def instrument(code: str, version: str | None = None, *, directory: Path | str | None = None) -> Instrument:
    """Return one version of an instrument; without a version, its latest live one."""
    versions = [i for i in load_instruments(directory) if i.code == code]
    if version is not None:
        chosen = next((i for i in versions if i.version == version), None)
        if chosen is None:
            known = ", ".join(i.version for i in versions) or "none"
            raise UnknownInstrument(f"No version {version!r} of instrument {code!r} (versions: {known})")
        return chosen
    live = [i for i in versions if i.live]
    if not live:
        raise UnknownInstrument(f"No live instrument {code!r}" + (" (only drafts)" if versions else ""))
    return live[-1]


# Scoring --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Referral:
    code: str
    label: str
    reason: str


@dataclass
class Result:
    """What the engine made of one set of answers."""

    score: float
    section_scores: dict[str, float]
    grade: str | None
    referrals: list[Referral]
    problems: dict[str, str]
    explanations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Facts:
    instrument: Instrument
    answers: Mapping[str, str]
    score: float
    section_scores: Mapping[str, float]
    grade: str | None
    context: Mapping[str, Any]


def _at_least(value: Any, threshold: float) -> bool:
    return value is not None and value >= threshold


TESTS: dict[str, Callable[[Any, _Facts], bool]] = {
    "grade_in": lambda grades, f: f.grade in grades,
    "grade_at_least": lambda grade, f: f.grade is not None and f.instrument.rank(f.grade) >= f.instrument.rank(grade),
    "score_at_least": lambda value, f: f.score >= value,
    "section_at_least": lambda arg, f: f.section_scores.get(arg["section"], 0) >= arg["value"],
    "answer_in": lambda arg, f: f.answers.get(arg["question"]) in arg["values"],
    "context_true": lambda name, f: f.context.get(name) is True,
    "context_at_least": lambda arg, f: _at_least(f.context.get(arg["field"]), arg["value"]),
    # An unknown value (an age no record gives) is never "below": such rules should test at_least.
    "context_below": lambda arg, f: f.context.get(arg["field"]) is not None and f.context[arg["field"]] < arg["value"],
    "all": lambda conditions, f: all(holds(c, f) for c in conditions),
    "any": lambda conditions, f: any(holds(c, f) for c in conditions),
    "not": lambda condition, f: not holds(condition, f),
}


def holds(condition: Mapping[str, Any], facts: _Facts) -> bool:
    """Return whether a declared condition holds."""
    ((test, argument),) = condition.items()
    return TESTS[test](argument, facts)


def _choices(instrument_: Instrument) -> str:
    labels = [o.label.lower() for o in instrument_.options]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def _number(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def _points(instrument_: Instrument, question: Question, answer: str) -> float:
    if instrument_.method == "count":
        return 1 if answer == instrument_.count_value else 0
    return question.points.get(answer, instrument_.default_points.get(answer, 0))


def score(instrument: Instrument, answers: Mapping[str, Any], context: AssessmentContext,
          chosen_grade: str | None = None, rationale: str = "") -> Result:
    """Score answers with an instrument; grade, trigger referrals and apply its constraints."""
    problems: dict[str, str] = {}
    known = {q.id for q in instrument.questions}
    for question_id in answers:
        if question_id not in known:
            problems[str(question_id)] = f"{question_id!r} is not a question in {instrument.title}"
    values = {o.value for o in instrument.options}
    total: float = 0
    sections: dict[str, float] = {q.section: 0 for q in instrument.questions if q.scored and q.section}
    for question in instrument.questions:
        answer = answers.get(question.id)
        if answer in (None, ""):
            problems[question.id] = f"Select {_choices(instrument)} for question {question.number}"
            continue
        if answer not in values:
            problems[question.id] = (f"{answer!r} is not an answer to question {question.number}: "
                                     f"select {_choices(instrument)}")
            continue
        if question.scored:
            points = _points(instrument, question, answer)
            total += points
            if question.section:
                sections[question.section] = sections.get(question.section, 0) + points
    section_scores = {k: _number(v) for k, v in sections.items()}
    result = Result(_number(total), section_scores, None, [], problems)
    if problems:
        return result
    facts = _Facts(instrument, answers, total, section_scores, None, context.as_dict())
    grade = _grade(instrument, facts, chosen_grade, result)
    if grade is None:
        return result
    result.grade = grade
    facts = _Facts(instrument, answers, total, section_scores, grade, facts.context)
    for rule in instrument.constraints:
        if grade not in rule.grades:
            continue
        if rule.needs_rationale and not rationale.strip():
            problems["rationale"] = rule.reason
        elif rule.when and holds(rule.when, facts):
            problems.setdefault("grade", rule.reason)
    result.referrals = [Referral(r.code, r.label, r.reason) for r in instrument.referrals if holds(r.when, facts)]
    return result


def _grade(instrument: Instrument, facts: _Facts, chosen: str | None, result: Result) -> str | None:
    """Return the grade, raised to any floor whose condition holds; record problems on `result`."""
    floors = [(rule.code, rule.reason) for rule in instrument.floors if holds(rule.when, facts)]
    if instrument.assessor_grades:
        if not chosen:
            result.problems["grade"] = "Select a grade"
            return None
        if instrument.grade(chosen) is None:
            result.problems["grade"] = f"{chosen!r} is not a grade of {instrument.title}"
            return None
        for floor, reason in floors:
            if instrument.rank(chosen) < instrument.rank(floor):
                result.problems["grade"] = f"Select {instrument.grade_label(floor)} or higher: {reason}"
        return chosen
    if chosen:
        result.problems["grade"] = f"{instrument.title} grades by its score; a grade cannot be chosen"
        return None
    reached = [g for g in instrument.grades if g.min_score is not None and facts.score >= g.min_score]
    grade = (reached[-1] if reached else instrument.grades[0]).code
    for floor, reason in floors:
        if instrument.rank(floor) > instrument.rank(grade):
            result.explanations.append(f"Raised to {instrument.grade_label(floor)}: {reason}")
            grade = floor
    return grade
