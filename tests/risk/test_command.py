"""`lantern instruments list|score`: try answers on any version, live or draft."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from tests.risk.test_engine import INSTRUMENTS, answers_for, new_dash_version


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("instruments", *args, stdout=out)
    return out.getvalue()


def test_list_shows_every_instrument_with_its_source():
    listing = run("list")
    for expected in ("dash", "2009", "27 (+1 not scored)", "SafeLives", "prevent_vaf", "22", "KIRAT", "live"):
        assert expected in listing


def test_score_prints_score_grade_and_referrals(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": answers_for("dash", 14), "context": {"da_incidents_12_months": 3}}))
    printed = run("score", "dash", str(answers))
    assert "Score: 14" in printed and "Grade: High (high)" in printed
    assert "Refer to the MARAC (marac): Visible high risk: 14 or more yes answers" in printed
    assert "Potential escalation: 3 or more domestic abuse incidents" in printed


def test_score_accepts_bare_answers_and_a_chosen_grade(tmp_path):
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(answers_for("dash", 3)))
    assert "Grade: Standard (standard)" in run("score", "dash", str(bare))
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"answers": answers_for("missing"), "grade": "high", "context": {"age": 15}}))
    printed = run("score", "missing", str(missing))
    assert "Grade: High (high)" in printed and "immediate_supervisor_review" in printed


def test_problems_are_printed_and_exit_non_zero(tmp_path, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": answers_for("missing"), "grade": "very_low",
                                   "context": {"age": 14, "exploitation_marker": True}}))
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("instruments", "score", "missing", str(answers), stdout=out)
    assert "rationale: Explain why the risk is very low" in out.getvalue()
    assert "grade: A child with an exploitation marker cannot be graded very low" in out.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not JSON"), ("[1, 2]", "must hold a JSON object"),
    ('{"answers": {}, "extra": 1}', "unexpected key"),
])
def test_a_bad_answers_file_is_refused(tmp_path, content, message):
    answers = tmp_path / "answers.json"
    answers.write_text(content)
    with pytest.raises(CommandError, match=message):
        run("score", "dash", str(answers))


def test_a_draft_version_can_be_tried_before_it_goes_live(tmp_path):
    shutil.copy(INSTRUMENTS / "dash-2009.toml", tmp_path)
    new_dash_version(tmp_path, "2026.1", status="draft")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(answers_for("dash", 12)))
    assert "Grade: Medium" in run("score", "dash", str(answers), "--directory", str(tmp_path))
    tried = run("score", "dash", str(answers), "--version", "2026.1", "--directory", str(tmp_path))
    assert "version 2026.1), draft" in tried and "Grade: High" in tried
    assert "draft" in run("list", "--directory", str(tmp_path))
    with pytest.raises(CommandError, match="No version '1999'"):
        run("score", "dash", str(answers), "--version", "1999")


def test_a_broken_instrument_file_is_named(tmp_path):
    (tmp_path / "dash-2009.toml").write_text('code = "dash"\n')
    with pytest.raises(CommandError, match="dash-2009.toml: .*'name' is a required property"):
        run("list", "--directory", str(tmp_path))
