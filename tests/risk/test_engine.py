"""Every instrument's scoring and boundaries, through the one engine; and broken or new files."""

import shutil
from dataclasses import fields
from pathlib import Path

import pytest

from lantern.risk import engine
from lantern.risk.engine import ASKABLE, CONTEXT_KINDS, AssessmentContext, InstrumentError, instrument, score

ADULT = AssessmentContext(age=30)


def answers_for(code: str, yes: set[str] | int = frozenset(), rest: str = "no") -> dict[str, str]:
    """Answer every question of an instrument: yes to the named ones (or the first n scored), `rest` otherwise."""
    questions = instrument(code).questions
    if isinstance(yes, int):
        yes = {q.id for q in [q for q in questions if q.scored][:yes]}
    return {q.id: "yes" if q.id in yes else rest for q in questions}


def codes(result: engine.Result) -> set[str]:
    return {r.code for r in result.referrals}


def test_every_instrument_loads_validates_and_is_live():
    found = engine.load_instruments()
    assert {i.code for i in found} == {"dash", "missing", "cse", "custody_child", "iioc_priority", "prevent_vaf"}
    for item in found:
        assert item.source and item.version and item.live and len(item.digest) == 64
        assert item.path.name == f"{item.code}-{item.version}.toml"
    assert {f.name for f in fields(AssessmentContext)} == set(CONTEXT_KINDS)
    assert set(ASKABLE) <= set(CONTEXT_KINDS)


def test_dash_has_the_27_published_questions_and_a_professional_judgement():
    dash = instrument("dash")
    assert dash.version == "2009"
    scored = [q for q in dash.questions if q.scored]
    assert len(scored) == 27
    assert scored[0].text == "Has the current incident resulted in injury?"
    assert scored[17].text == "Has (…) ever attempted to strangle, choke, suffocate or drown you?"
    assert [q.id for q in dash.questions if not q.scored] == ["professional_judgement"]


@pytest.mark.parametrize(("yes", "grade"), [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"),
                                            (14, "high"), (27, "high")])
def test_dash_grades_by_yes_answers(yes, grade):
    result = score(instrument("dash"), answers_for("dash", yes), ADULT)
    assert result.ok and result.score == yes and result.grade == grade
    assert ("marac" in codes(result)) is (grade == "high")


def test_dont_know_and_professional_judgement_do_not_count():
    dash = instrument("dash")
    answers = answers_for("dash", 13, rest="dont_know") | {"professional_judgement": "yes"}
    result = score(dash, answers, ADULT)
    assert (result.score, result.grade) == (13, "medium")
    assert [r.reason for r in result.referrals] == ["Professional judgement"]


@pytest.mark.parametrize(("context", "referred"), [
    (AssessmentContext(da_incidents_12_months=2), False),
    (AssessmentContext(da_incidents_12_months=3), True),
    (AssessmentContext(marac_referral_within_12_months=True), True),
])
def test_dash_escalation_and_repeat_go_to_marac_whatever_the_score(context, referred):
    result = score(instrument("dash"), answers_for("dash", 2), context)
    assert result.grade == "standard"
    assert ("marac" in codes(result)) is referred


def test_unknown_missing_and_wrong_answers_are_problems_in_plain_words():
    dash = instrument("dash")
    answers = answers_for("dash") | {"q05_depressed": "maybe", "q99": "yes"}
    del answers["q01_injury"]
    result = score(dash, answers, ADULT)
    assert not result.ok and result.grade is None and result.referrals == []
    assert result.problems == {
        "q99": f"'q99' is not a question in {dash.title}",
        "q01_injury": "Select yes, no or don't know for question 1",
        "q05_depressed": "'maybe' is not an answer to question 5: select yes, no or don't know",
    }


# Missing person risk: the assessor's grade, constrained --------------------------------------

def test_missing_grade_is_chosen_by_the_assessor():
    missing = instrument("missing")
    answers = answers_for("missing", {"out_of_character"})
    assert score(missing, answers, ADULT).problems == {"grade": "Select a grade"}
    assert score(missing, answers, ADULT, chosen_grade="severe").problems["grade"].startswith("'severe' is not a grade")
    result = score(missing, answers, ADULT, chosen_grade="high")
    assert result.ok and result.score == 1 and codes(result) == {"immediate_supervisor_review"}


def test_missing_very_low_needs_a_rationale():
    missing = instrument("missing")
    refused = score(missing, answers_for("missing"), ADULT, chosen_grade="very_low", rationale="  ")
    assert refused.problems == {"rationale": "Explain why the risk is very low"}
    accepted = score(missing, answers_for("missing"), ADULT, chosen_grade="very_low",
                     rationale="Known to be at her sister's; spoken to by phone")
    assert accepted.ok and accepted.grade == "very_low"


@pytest.mark.parametrize(("age", "refused"), [(15, True), (None, True), (17, True), (18, False)])
def test_missing_very_low_refused_for_a_child_with_an_exploitation_marker(age, refused):
    context = AssessmentContext(age=age, exploitation_marker=True)
    result = score(instrument("missing"), answers_for("missing"), context, chosen_grade="very_low",
                   rationale="Known to be at a friend's house")
    assert ("grade" in result.problems) is refused
    if refused:
        assert "exploitation marker" in result.problems["grade"]
    low = score(instrument("missing"), answers_for("missing"), context, chosen_grade="low")
    assert low.ok and codes(low) == {"exploitation_lead"}


# Child exploitation screening ------------------------------------------------------------------

def test_cse_counts_the_safeguard_indicators():
    cse = instrument("cse")
    assert [s.label[0] for s in cse.sections] == list("SAFEGUARD")
    result = score(cse, answers_for("cse", {"g_gangs", "r_gifts"}), AssessmentContext(age=14),
                   chosen_grade="category_3")
    assert result.score == 2 and result.section_scores["g"] == 1
    assert codes(result) == {"strategy_discussion", "mace"}


@pytest.mark.parametrize(("context", "refused"), [
    (AssessmentContext(age=12), True),
    (AssessmentContext(age=13), False),
    (AssessmentContext(age=15, learning_disability=True), True),
    (AssessmentContext(age=13, learning_disability=False), False),
])
def test_cse_never_lowest_under_13_or_with_a_learning_disability(context, refused):
    result = score(instrument("cse"), answers_for("cse", {"a_absent"}), context, chosen_grade="category_1")
    assert ("grade" in result.problems) is refused
    if not refused:
        assert result.ok and codes(result) == set()
    assert score(instrument("cse"), answers_for("cse", {"a_absent"}), context, chosen_grade="category_2").ok


# Custody care plan for a detained child --------------------------------------------------------

def custody_answers(**overrides: str) -> dict[str, str]:
    return answers_for("custody_child") | {"appropriate_adult_contacted": "yes"} | overrides


@pytest.mark.parametrize(("charged", "bail_refused", "transfer"), [
    (True, True, True), (True, False, False), (False, None, False), (None, None, False)])
def test_custody_charged_and_refused_bail_asks_for_local_authority_accommodation(charged, bail_refused, transfer):
    context = AssessmentContext(age=15, charged=charged, bail_refused=bail_refused)
    result = score(instrument("custody_child"), custody_answers(), context, chosen_grade="level_1")
    assert result.ok
    assert ("pace_transfer_request" in codes(result)) is transfer


def test_custody_floors_and_appropriate_adult():
    custody = instrument("custody_child")
    context = AssessmentContext(age=15)
    drunk = score(custody, custody_answers(intoxicated="yes"), context, chosen_grade="level_1")
    assert drunk.problems["grade"].startswith("Select Level 2: intermittent observation or higher")
    assert score(custody, custody_answers(intoxicated="yes"), context, chosen_grade="level_2").ok
    harm = score(custody, custody_answers(self_harm="yes"), context, chosen_grade="level_2")
    assert "Level 3" in harm.problems["grade"]
    no_adult = score(custody, custody_answers(appropriate_adult_contacted="no"), context, chosen_grade="level_1")
    assert codes(no_adult) == {"appropriate_adult"}


# Indecent images: prioritised in the manner of KIRAT ---------------------------------------------

def test_iioc_points_and_thresholds():
    iioc = instrument("iioc_priority")
    none = score(iioc, answers_for("iioc_priority"), ADULT)
    assert (none.score, none.grade) == (0, "low")
    medium = score(iioc, answers_for("iioc_priority", {"previous_noncontact_offence", "category_a"}), ADULT)
    assert (medium.score, medium.grade) == (3, "medium")
    high = score(iioc, answers_for("iioc_priority", {"grooming", "distributing_images"}), ADULT)
    assert (high.score, high.grade) == (6, "high")


def test_iioc_access_to_children_raises_the_priority():
    iioc = instrument("iioc_priority")
    without = score(iioc, answers_for("iioc_priority", {"category_a"}), ADULT)
    with_children = score(iioc, answers_for("iioc_priority", {"category_a", "access_through_role"}), ADULT)
    assert (without.grade, with_children.grade) == ("low", "high")
    assert with_children.explanations == ["Raised to High: the suspect has access to children"]
    assert codes(with_children) == {"childrens_social_care"}
    contact = score(iioc, answers_for("iioc_priority", {"lives_with_children", "grooming"}), ADULT)
    assert contact.grade == "very_high" and "immediate_safeguarding_action" in codes(contact)


# Prevent: the Vulnerability Assessment Framework -------------------------------------------------

def test_prevent_has_22_factors_in_three_dimensions():
    vaf = instrument("prevent_vaf")
    per_section = {s.id: sum(q.section == s.id for q in vaf.questions) for s in vaf.sections}
    assert per_section == {"engagement": 13, "intent": 6, "capability": 3}


def test_prevent_section_scores_and_referrals():
    vaf = instrument("prevent_vaf")
    answers = answers_for("prevent_vaf", {"e01_grievance", "e03_identity", "i02_them_and_us"})
    result = score(vaf, answers, ADULT, chosen_grade="medium")
    assert result.section_scores == {"engagement": 2, "intent": 1, "capability": 0}
    assert codes(result) == {"channel_panel"}
    assert score(vaf, answers, ADULT, chosen_grade="low").ok
    armed = answers | {"c02_networks": "yes"}
    assert "High concern or higher" in score(vaf, armed, ADULT, chosen_grade="medium").problems["grade"]
    assert codes(score(vaf, armed, ADULT, chosen_grade="high")) == {"channel_panel", "counter_terrorism_policing"}


# Configuration: broken files, new versions, drafts ------------------------------------------------

INSTRUMENTS = Path(engine.__file__).parent / "instruments"


def test_a_broken_file_is_refused_naming_the_file_and_the_field(tmp_path):
    text = (INSTRUMENTS / "dash-2009.toml").read_text(encoding="utf-8")
    (tmp_path / "dash-2009.toml").write_text(text.replace('status = "live"', 'status = "maybe"'), encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"dash-2009\.toml: status: 'maybe' is not one of"):
        engine.load_instruments(tmp_path)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('section = "abuser"', 'section = "abusers"', r"questions/22/section: 'abusers' is not a declared section"),
    ('min_score = 14', 'min_score = 5', r"grades: min_score must rise"),
    ('context_true = "marac_referral_within_12_months"', 'context_true = "marac_last_year"',
     r"referrals/3/when/context_true: 'marac_last_year' is not a context field"),
    ('text = "Are you very frightened?"\n', '', r"questions/1: 'text' is a required property"),
    ('version = "2009"', 'version = "2010"', r"code: the file should be named dash-2010\.toml"),
])
def test_what_a_schema_cannot_see_is_refused_too(tmp_path, old, new, message):
    text = (INSTRUMENTS / "dash-2009.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "dash-2009.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"dash-2009\.toml: " + message):
        engine.load_instruments(tmp_path)


def new_dash_version(folder: Path, version: str, status: str = "live") -> None:
    text = (INSTRUMENTS / "dash-2009.toml").read_text(encoding="utf-8")
    text = text.replace('version = "2009"', f'version = "{version}"').replace('status = "live"', f'status = "{status}"')
    (folder / f"dash-{version}.toml").write_text(text.replace("min_score = 14", "min_score = 12"), encoding="utf-8")


def test_a_new_version_is_a_new_file_and_the_latest_live_one_is_used(tmp_path):
    shutil.copy(INSTRUMENTS / "dash-2009.toml", tmp_path)
    new_dash_version(tmp_path, "2026.1", status="draft")
    assert instrument("dash", directory=tmp_path).version == "2009"  # a draft is tried, not used
    draft = instrument("dash", "2026.1", directory=tmp_path)
    assert score(draft, answers_for("dash", 12), ADULT).grade == "high"
    new_dash_version(tmp_path, "2026.2")
    assert instrument("dash", directory=tmp_path).version == "2009"  # files are read once, then cached
    engine.forget_instruments()
    assert instrument("dash", directory=tmp_path).version == "2026.2"
    assert instrument("dash", "2009", directory=tmp_path).version == "2009"
    assert [i.version for i in engine.load_instruments(tmp_path)] == ["2009", "2026.1", "2026.2"]
    with pytest.raises(engine.UnknownInstrument, match="versions: 2009, 2026.1, 2026.2"):
        instrument("dash", "2030", directory=tmp_path)


def test_versions_sort_naturally():
    assert sorted(["10", "9", "2009", "2026.1", "2026.10", "2026.2"], key=engine.version_key) == [
        "9", "10", "2009", "2026.1", "2026.2", "2026.10"]


def test_context_from_json_reports_unknown_and_wrong_fields():
    context, problems = AssessmentContext.from_dict({"age": 12, "charged": "yes", "shoe_size": 5})
    assert context.age == 12
    assert problems == {"context.charged": "charged must be true, false or null",
                        "context.shoe_size": problems["context.shoe_size"]}
    assert problems["context.shoe_size"].startswith("'shoe_size' is not something an assessment knows")
