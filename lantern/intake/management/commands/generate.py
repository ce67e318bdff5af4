"""`lantern generate`: write synthetic London feeds in the interchange format, with their ground truth."""

import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lantern.intake.generator import DEFAULT_END, generate
from lantern.intake.generator.reference import select_boroughs


class Command(BaseCommand):
    help = (
        "Generate synthetic feeds for London boroughs (police, children's social care, schools, health, "
        "probation) calibrated to the Met's published figures, with truth.jsonl saying who is who."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=1, help="Years to simulate (default: %(default)s)")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Multiplies every volume; 1.0 is the Met's real figures (default: %(default)s)")
        parser.add_argument("--boroughs", default="all",
                            help="Comma-separated ONS codes E09000001..E09000033, or 'all' (default: all)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default: %(default)s)")
        parser.add_argument("--out", type=Path, required=True, help="Directory to write the files into")
        parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END,
                            help="Last day simulated, YYYY-MM-DD (default: %(default)s)")
        parser.add_argument("--workers", type=int, default=None,
                            help="Processes simulating boroughs side by side (default: up to 2)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1:
            raise CommandError("--years must be at least 1")
        if options["scale"] <= 0:
            raise CommandError("--scale must be more than 0")
        try:
            boroughs = select_boroughs(options["boroughs"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        console = Console(file=sys.stderr)
        columns = (TextColumn("Simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("boroughs"),
                   TextColumn("[dim]{task.description}"), TimeElapsedColumn())
        started = time.monotonic()
        with Progress(*columns, console=console,
                      disable=options["verbosity"] < 1 or not console.is_terminal) as progress:
            task = progress.add_task("", total=len(boroughs))
            summary = generate(
                options["out"], years=options["years"], scale=options["scale"], boroughs=options["boroughs"],
                seed=options["seed"], workers=options["workers"], end=options["end"],
                progress=lambda name: progress.update(task, advance=1, description=name),
            )
        elapsed = time.monotonic() - started
        if options["verbosity"] < 1:
            return
        first, last = summary.years or (None, None)
        out = Console(file=self.stdout, width=100)  # type: ignore[arg-type]  # Django's wrapper writes like a file
        out.print(f"Wrote {summary.lines:,} lines for {summary.boroughs} borough(s), {first} to {last}, "
                  f"into {options['out']} in {elapsed:.1f}s.")
        files = Table("file", "lines", title="Files", title_justify="left")
        for name, lines in summary.files.items():
            files.add_row(name, f"{lines:,}")
        out.print(files)
        events = Table("event type", "events", title="Events", title_justify="left")
        for key, value in sorted(summary.counts.items()):
            if key.startswith("events:"):
                events.add_row(key.removeprefix("events:"), f"{value:,}")
        out.print(events)
        records = Table("agency kind", "person records", title="Person records", title_justify="left")
        for key, value in sorted(summary.counts.items()):
            if key.startswith("records:"):
                records.add_row(key.removeprefix("records:"), f"{value:,}")
        records.add_row("(true people)", f"{summary.counts['true_people']:,}")
        out.print(records)
