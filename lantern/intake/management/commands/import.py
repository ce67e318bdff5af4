"""`lantern import PATH...`: import agency feeds (JSON Lines or CSV files, or directories of them)."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantern.intake.console import DEFAULT_WORKERS, describe_counts, import_with_progress
from lantern.intake.reader import check_encoding, feed_files, holds_utf8_beyond_ascii

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
        parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                            help="Processes that parse lines while this one writes (default: %(default)s)")
        parser.add_argument("--encoding", default=None,
                            help="The files' text encoding when it is not UTF-8, such as windows-1252 for a CSV "
                                 "file Excel saved (UTF-16 is recognised without it)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            encoding = options["encoding"] and check_encoding(options["encoding"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}")
        files = feed_files(options["paths"])
        if not files:
            raise CommandError("No feed files (.jsonl, .ndjson or .csv) found there")
        if encoding and not encoding.startswith("utf"):
            in_utf8 = [str(path) for path in files if holds_utf8_beyond_ascii(path)]
            if in_utf8:
                raise CommandError(f"These files are UTF-8, not {options['encoding']}, and would go in garbled: "
                                   f"{', '.join(in_utf8)}. Import them without --encoding.")
        counts = import_with_progress(files, workers=options["workers"], show=options["verbosity"] >= 1,
                                      encoding=encoding).counts
        self.stdout.write(describe_counts(counts))
        if counts["quarantined"]:
            self.stderr.write("Some lines were quarantined: see them with `lantern quarantine list`.")
            sys.exit(EXIT_SOME_QUARANTINED)
        if counts["waiting"]:
            self.stderr.write("Some events are waiting for person records: they go in when those arrive.")
            sys.exit(EXIT_SOME_WAITING)
