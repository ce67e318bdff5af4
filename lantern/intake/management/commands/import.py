"""`lantern import PATH...`: import agency feeds (JSON Lines or CSV files, or directories of them)."""

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from lantern.intake.importer import import_paths
from lantern.intake.reader import count_lines, feed_files

# Exit statuses, documented in docs/interchange.md.
EXIT_ALL_IN = 0
EXIT_SOME_QUARANTINED = 3
EXIT_SOME_WAITING = 4


class Command(BaseCommand):
    help = (
        "Import agency feeds. Exit status 0 when every line went in; 3 when some lines were "
        "quarantined; 4 when some events wait for person records not yet received."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Feed files or directories")
        parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                            help="Processes that parse lines while this one writes (default: %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}")
        files = feed_files(options["paths"])
        if not files:
            raise CommandError("No feed files (.jsonl, .ndjson or .csv) found there")
        total = count_lines(files)
        columns = (TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), TextColumn("lines"),
                   TimeRemainingColumn())
        console = Console(stderr=True)
        with Progress(*columns, disable=options["verbosity"] < 1 or not console.is_terminal,
                      console=console) as progress:
            task = progress.add_task("import", total=total)
            run = import_paths(files, workers=options["workers"],
                               progress=lambda n: progress.advance(task, n))
        counts = run.counts
        self.stdout.write(
            f"Read {counts['read']:,} lines: {counts['created']:,} created, {counts['updated']:,} updated, "
            f"{counts['unchanged']:,} unchanged, {counts['quarantined']:,} quarantined, "
            f"{counts['waiting']:,} waiting for a person record"
            + (f", {counts['resolved']:,} held lines now resolved" if counts["resolved"] else "") + "."
        )
        if counts["quarantined"]:
            self.stderr.write("Some lines were quarantined: see them with `lantern quarantine list`.")
            sys.exit(EXIT_SOME_QUARANTINED)
        if counts["waiting"]:
            self.stderr.write("Some events are waiting for person records: they go in when those arrive.")
            sys.exit(EXIT_SOME_WAITING)
