"""`lantern audit verify`: check the whole audit chain; exit 1 naming the first bad entry."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from lantern.core.audit import verify_chain
from lantern.core.models import AuditEntry


class Command(BaseCommand):
    help = "Work with the audit trail. `verify` checks that no entry was changed, removed or inserted."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check every entry's hash and link")
        verify.add_argument(
            "--expect-head", default="",
            help="The head hash recorded earlier; catches entries removed from the end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEntry.objects.count()
        with Progress(transient=True, disable=options["verbosity"] < 1) as progress:
            task = progress.add_task("Checking the audit trail", total=total)
            report = verify_chain(progress=lambda: progress.advance(task))
        if not report.ok:
            raise CommandError(
                f"Audit trail broken at entry #{report.first_bad_seq}: {report.problem}. "
                f"{report.entries - 1} entries before it are intact."
            )
        if options["expect_head"] and options["expect_head"] != report.head_hash:
            raise CommandError(
                "Audit trail does not end where it was recorded to end: entries were removed "
                f"from the end, or it is a different trail (head is {report.head_hash})."
            )
        self.stdout.write(self.style.SUCCESS(
            f"Audit trail intact: {report.entries} entries, head {report.head_hash}"
        ))
