"""`lantern reindex`: rebuild the index that real-time linking and search read."""

from typing import Any

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from lantern.linkage.services import index_rebuild
from lantern.people.models import SourceRecord


class Command(BaseCommand):
    help = ("Rebuild the real-time index of every source record: the blocking keys linkage looks up and the "
            "search terms people are found by. Run it after an upgrade that adds search terms.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(stderr=True)
        columns = (TextColumn("Indexing"), BarColumn(), MofNCompleteColumn(), TextColumn("records"),
                   TimeRemainingColumn())
        with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task("index", total=SourceRecord.objects.count())
            done = index_rebuild(progress=lambda n: progress.update(task, completed=n))
        self.stdout.write(f"Indexed {done:,} records for linking and search.")
