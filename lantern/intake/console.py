"""Importing from a terminal: a progress bar while it runs, and the counts in words after."""

import os
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .importer import import_paths
from .models import ImportRun
from .reader import count_lines

DEFAULT_WORKERS = min(2, os.cpu_count() or 1)


def import_with_progress(files: list[Path], *, workers: int = DEFAULT_WORKERS, show: bool = True,
                         encoding: str | None = None) -> ImportRun:
    """Import feed files, drawing a progress bar on stderr when it is a terminal."""
    console = Console(stderr=True)
    columns = (TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), TextColumn("lines"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not (show and console.is_terminal)) as progress:
        total = count_lines(files, encoding)
        task = progress.add_task("import", total=total)
        return import_paths(files, workers=workers, progress=lambda n: progress.advance(task, n), lines=total,
                            encoding=encoding)


def describe_counts(counts: dict[str, int]) -> str:
    """Say in words what became of the lines an import read."""
    return (
        f"Read {counts['read']:,} lines: {counts['created']:,} created, {counts['updated']:,} updated, "
        f"{counts['unchanged']:,} unchanged, {counts['quarantined']:,} quarantined, "
        f"{counts['waiting']:,} waiting for a person record"
        + (f", {counts['resolved']:,} held lines now resolved" if counts["resolved"] else "")
        + (f", {counts.get('superseded', 0):,} held lines superseded by records sent again"
           if counts.get("superseded") else "") + "."
    )
