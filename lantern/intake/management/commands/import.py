"""`lantern import PATH...`: import agency feeds (JSON Lines or CSV files, or directories of them)."""

import errno
import os
import stat
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantern.intake.console import DEFAULT_WORKERS, describe_counts, import_with_progress
from lantern.intake.reader import check_encoding, feed_files, holds_utf8_beyond_ascii, named_encoding_problem

# Exit statuses, documented in docs/interchange.md.
EXIT_ALL_IN = 0
EXIT_SOME_QUARANTINED = 3
EXIT_SOME_WAITING = 4
EXIT_STOPPED = 130  # as a shell reports a program stopped by Ctrl-C (128 + SIGINT)

STOPPED = (
    "The import was stopped. Every chunk of lines written so far is kept whole (each is written "
    "in one transaction), and nothing half-written is kept. Run the same command again to take "
    "the rest: the lines already in are found unchanged, so nothing is doubled."
)


def _in_words(error: OSError) -> str:
    """Say what an error opening a path means, after the path's name."""
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "does not exist"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "may not be read by the user running the import (permission denied)"
    if error.errno == errno.ELOOP:
        return "is a link that leads round in a loop"
    return f"cannot be read ({error.strerror or error})"


def unreadable(path: Path) -> str:
    """Say what stops a path named on the command line being read, or '' when nothing does."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if error.errno == errno.ENOENT and path.is_symlink():
            return f"is a link to {os.readlink(path)}, which does not exist"
        return _in_words(error)
    try:
        if stat.S_ISDIR(mode):
            os.scandir(path).close()
        elif stat.S_ISREG(mode):
            os.close(os.open(path, os.O_RDONLY))
        else:
            # The import reads each file twice (first to count its lines), which a pipe or a
            # device cannot give; opening a pipe would also wait for a writer.
            return "is not a file or a directory"
    except OSError as error:
        return _in_words(error)
    return ""


class Command(BaseCommand):
    help = (
        "Import agency feeds. Exit status 0 when every line went in; 3 when some lines were "
        "quarantined; 4 when some events wait for person records not yet received; 130 when stopped "
        "with Ctrl-C."
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
        problems = [f"{path} {problem}" for path in options["paths"] if (problem := unreadable(path))]
        if problems:
            raise CommandError(f"Nothing was imported: {'; '.join(problems)}.")
        try:
            self._import(options, encoding)
        except KeyboardInterrupt:
            self.stderr.write(STOPPED)
            sys.exit(EXIT_STOPPED)

    def _import(self, options: dict[str, Any], encoding: str | None) -> None:
        files = feed_files(options["paths"])
        if not files:
            named = ", ".join(map(str, options["paths"]))
            raise CommandError(f"No feed files (.jsonl, .ndjson or .csv) found in {named}")
        unordered = [f"{path} {problem}" for path in files
                     if encoding and (problem := named_encoding_problem(path, encoding))]
        if unordered:
            raise CommandError(f"Nothing was imported: {'; '.join(unordered)}.")
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
