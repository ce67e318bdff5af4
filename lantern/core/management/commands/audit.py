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
            "--expect-entry", default="", metavar="SEQ:HASH",
            help="An entry's number and hash noted earlier (as printed by verify); "
                 "catches entries removed from the end of the trail",
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
        if options["expect_entry"]:
            self._check_noted_entry(options["expect_entry"])
        if report.entries == 0:
            self.stdout.write(self.style.SUCCESS("The audit trail is empty."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Audit trail intact: {report.entries} entries. "
            f"Note the last one to check later: --expect-entry {report.entries}:{report.head_hash}"
        ))

    def _check_noted_entry(self, noted: str) -> None:
        seq, _, expected_hash = noted.partition(":")
        if not seq.isdigit() or len(expected_hash) != 64:
            raise CommandError("--expect-entry must be SEQ:HASH, as printed by an earlier verify")
        found = AuditEntry.objects.filter(seq=int(seq)).values_list("hash", flat=True).first()
        if found != expected_hash:
            raise CommandError(
                f"Entry #{seq} noted earlier is missing or different: entries were removed "
                "from the end of the trail, or this is a different trail."
            )
