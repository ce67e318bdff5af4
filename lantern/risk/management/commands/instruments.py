"""`lantern instruments list|score`: the configured risk instruments, and trying one on answers."""

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from lantern.risk import engine


class Command(BaseCommand):
    help = "List the risk instruments, or score answers with one (a draft version too) before it goes live."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        common = _django_options()
        listing = sub.add_parser("list", parents=[common], help="Every instrument version, with its status and source")
        listing.add_argument("--directory", default=None, help="A folder of instrument files (default: Lantern's)")
        scoring = sub.add_parser("score", parents=[common], help="Score a JSON file of answers; exit 1 on any problem")
        scoring.add_argument("name", help="The instrument's code, e.g. dash")
        scoring.add_argument("answers", type=Path, help='JSON: {"answers": {...}, "context": {...}, "grade": ..., '
                                                        '"rationale": ...}, or just the answers')
        scoring.add_argument("--version", dest="instrument_version", default=None,
                             help="A version to try (a draft too); default: the latest live one")
        scoring.add_argument("--directory", default=None, help="A folder of instrument files (default: Lantern's)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.console = Console(file=self.stdout, width=160, soft_wrap=True)  # type: ignore[arg-type]
        try:
            getattr(self, f"_{options['action']}")(options)
        except engine.InstrumentError as problem:
            raise CommandError(f"An instrument file is broken: {problem}") from None

    def _list(self, options: dict[str, Any]) -> None:
        found = engine.load_instruments(options["directory"])
        live = {i.path for i in engine.live_instruments(options["directory"])}
        table = Table("code", "name", "version", "status", "source", "questions", title="Risk instruments",
                      title_justify="left")
        for item in found:
            status = item.status + (" (in use)" if item.path in live else "")
            scored = sum(q.scored for q in item.questions)
            unscored = len(item.questions) - scored
            questions = f"{scored}" + (f" (+{unscored} not scored)" if unscored else "")
            table.add_row(item.code, item.name, item.version, status, item.source, questions)
        self.console.print(table)

    def _score(self, options: dict[str, Any]) -> None:
        try:
            chosen = engine.instrument(options["name"], options["instrument_version"], directory=options["directory"])
        except engine.UnknownInstrument as problem:
            raise CommandError(str(problem)) from None
        answers, context_data, grade, rationale = _read_answers(options["answers"])
        context, problems = engine.AssessmentContext.from_dict(context_data)
        result = engine.score(chosen, answers, context, chosen_grade=grade, rationale=rationale)
        problems.update(result.problems)
        self.console.print(f"[bold]{chosen.title}[/bold], {chosen.status}", highlight=False)
        self.console.print(f"Score: {result.score}", highlight=False)
        for section, value in result.section_scores.items():
            self.console.print(f"  {chosen.section_label(section)}: {value}", highlight=False)
        if result.grade:
            self.console.print(f"Grade: {chosen.grade_label(result.grade)} ({result.grade})", highlight=False)
        for explanation in result.explanations:
            self.console.print(f"  {explanation}", highlight=False)
        if result.grade and not problems:
            self.console.print("Referrals:" if result.referrals else "Referrals: none", highlight=False)
            for referral in result.referrals:
                self.console.print(f"  {referral.label} ({referral.code}): {referral.reason}", highlight=False)
        if problems:
            self.console.print("Problems:", highlight=False)
            for where, message in problems.items():
                self.console.print(f"  {where}: {message}", highlight=False, markup=False)
            raise CommandError(f"{len(problems)} problem(s): these answers cannot be recorded")


def _django_options() -> CommandParser:
    """Return Django's own options for the subcommands, so `instruments list --settings=...` works."""
    common = CommandParser(add_help=False)
    for flag in ("--settings", "--pythonpath"):
        common.add_argument(flag, default=argparse.SUPPRESS)
    for flag in ("--traceback", "--no-color", "--force-color", "--skip-checks"):
        common.add_argument(flag, action="store_true", default=argparse.SUPPRESS)
    common.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=argparse.SUPPRESS)
    return common


def _read_answers(path: Path) -> tuple[dict[str, Any], dict[str, Any], str | None, str]:
    """Read answers, context, chosen grade and rationale from a JSON file (or bare answers)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise CommandError(f"Cannot read {path}: {problem.strerror}") from None
    except json.JSONDecodeError as problem:
        raise CommandError(f"{path} is not JSON: line {problem.lineno}: {problem.msg}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path} must hold a JSON object")
    if not isinstance(data.get("answers"), dict):
        return data, {}, None, ""
    unknown = set(data) - {"answers", "context", "grade", "rationale"}
    if unknown:
        raise CommandError(f"{path}: unexpected key(s) {', '.join(sorted(unknown))}; "
                           "expected answers, context, grade, rationale")
    context = data.get("context") or {}
    if not isinstance(context, dict):
        raise CommandError(f"{path}: context must be a JSON object")
    return data["answers"], context, data.get("grade") or None, str(data.get("rationale") or "")
