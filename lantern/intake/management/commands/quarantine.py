"""`lantern quarantine list|show|retry|dismiss`: the lines the importer held back, and why."""

from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantern.intake.held import held_lines_dismiss, held_lines_retry, open_held_lines
from lantern.intake.models import HeldLine, HeldStatus

# The largest number the database's integers hold (a signed 64-bit integer): an id or limit
# beyond it cannot even be looked up.
LARGEST = 2**63 - 1

# Control characters shown as their Unicode pictures (␛ for ESC), a tab and a line feed kept.
SHOWN_CONTROLS = {code: 0x2400 + code for code in range(32) if chr(code) not in "\t\n"} | {0x7F: 0x2421}


def _whole_number(text: str, what: str) -> int:
    """Read a whole number from 1 to LARGEST, or say in words why the text is not one."""
    if not (text.isascii() and text.removeprefix("-").isdigit()):  # int() takes "4_2", " 42" and "٤٢" too
        raise ArgumentTypeError(f"{what} must be a whole number, such as 47, not {text!r}")
    number = int(text)
    if not 1 <= number <= LARGEST:
        raise ArgumentTypeError(f"{what} must be a whole number from 1 to {LARGEST:,}, not {text}")
    return number


def held_line_id(text: str) -> int:
    """Read a held line's id (as `list` shows it)."""
    return _whole_number(text, "a held line's id")


def line_limit(text: str) -> int:
    """Read how many held lines to show."""
    return _whole_number(text, "the number of lines to show")


class Command(BaseCommand):
    help = "List, show, retry or dismiss lines the importer quarantined or is holding for a person record."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Held lines, newest first")
        listing.add_argument(
            "--status", choices=[s for s in HeldStatus.values if s != "resolved"] + ["all"], default="all"
        )
        listing.add_argument("--agency", default="")
        listing.add_argument("--limit", type=line_limit, default=50, help="How many to show (default: %(default)s)")
        show = sub.add_parser("show", help="One held line in full")
        show.add_argument("id", type=held_line_id)
        retry = sub.add_parser("retry", help="Offer held lines again (after fixing what held them)")
        retry.add_argument("ids", type=held_line_id, nargs="*", help="Which lines; all open ones if none given")
        dismiss = sub.add_parser("dismiss", help="Close held lines that will never go in, saying why")
        dismiss.add_argument("ids", type=held_line_id, nargs="+", help="Which lines")
        dismiss.add_argument("--reason", required=True,
                             help="Why, in words (e.g. 'sent again as UTF-8 in the 9 December file')")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        status = "" if options["status"] == "all" else options["status"]
        held = open_held_lines(status=status, agency=options["agency"]).reverse()
        total = held.count()
        for line in held[: options["limit"]]:
            self.stdout.write(
                f"{line.pk:>7}  {line.status:<11}  {line.source}:{line.line_number}  {line.field}: {line.reason}"
            )
        self.stdout.write(
            f"{total:,} held line(s)" + (f", showing {options['limit']}" if total > options["limit"] else "")
        )

    def _show(self, options: dict[str, Any]) -> None:
        line = HeldLine.objects.filter(pk=options["id"]).first()
        if line is None:
            raise CommandError(f"No held line {options['id']}")
        for label, value in [
            ("Status", line.get_status_display()),
            ("Where", f"{line.source}, line {line.line_number}"),
            ("Agency", line.agency),
            ("Source id", line.source_id),
            ("Field", line.field),
            ("Reason", line.reason),
            ("Attempts", line.attempts),
            ("Held since", line.created_at.isoformat()),
            *([("Resolved", f"{line.resolved_at.isoformat()}, {line.resolution}")] if line.resolved_at else []),
        ]:
            self.stdout.write(f"{label + ':':<12} {value}")
        self.stdout.write("Line:" + (" (cut short: too long to keep whole)" if line.raw_truncated else
                                     " (not as sent: it cannot be offered again)" if not line.retriable else ""))
        # The line as sent may hold terminal controls (ESC, BEL, CR) that would redraw the screen.
        self.stdout.write(line.raw.translate(SHOWN_CONTROLS))

    def _retry(self, options: dict[str, Any]) -> None:
        chosen = _open_lines_named(options["ids"], "retried") if options["ids"] else list(open_held_lines())
        if not chosen:
            raise CommandError("No open held lines to retry")
        retried = held_lines_retry(held=chosen, actor=None, source="quarantine retry")
        self.stdout.write(retried.summary() + ".")

    def _dismiss(self, options: dict[str, Any]) -> None:
        chosen = _open_lines_named(options["ids"], "dismissed")
        try:
            closed = held_lines_dismiss(held=chosen, actor=None, reason=options["reason"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{closed} held line(s) dismissed.")


def _open_lines_named(ids: list[int], done: str) -> list[HeldLine]:
    """The open held lines with these ids; a mistyped id stops the whole command, rather than
    doing the rest and leaving the line meant unnoticed."""
    chosen = list(open_held_lines().filter(pk__in=ids))
    unknown = sorted(set(ids) - {line.pk for line in chosen})
    if unknown:
        raise CommandError(f"No open held line {', '.join(map(str, unknown))}: nothing was {done}")
    return chosen
