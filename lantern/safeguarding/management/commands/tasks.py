"""`lantern tasks export [--out FILE] [--borough CODE]`: every task and notification as JSON Lines."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantern.safeguarding.exports import tasks_export


class Command(BaseCommand):
    help = ("Write every safeguarding task and notification as JSON Lines (reference, kind, rule, person "
            "references, owner, due, status) for reporting.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export"])
        parser.add_argument("--out", type=Path, default=None, help="the file to write (default: standard output)")
        parser.add_argument("--borough", default="", help="only this borough's, by ONS code")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["out"] is None:
            written = tasks_export(self.stdout, borough_code=options["borough"])
            sys.stderr.write(f"Wrote {written} line(s).\n")
            return
        with options["out"].open("w", encoding="utf-8") as out:
            written = tasks_export(out, borough_code=options["borough"])
        self.stdout.write(f"Wrote {written} task and notification line(s) to {options['out']}.")
