"""`lantern clocks [--every SECONDS]`: escalate overdue and unallocated contacts, chase overdue partner answers."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from lantern.referrals.services import clocks_check


class Command(BaseCommand):
    help = ("Raise overdue or unallocated contacts with MASH supervisors and chase partners' overdue answers. "
            "Run it every few minutes (cron, a systemd timer, or --every); running it again changes nothing new.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="keep running, checking the clocks this often (lantern serve starts it so)")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = clocks_check()
            if report.escalated or report.chased or not options["every"]:
                self.stdout.write(f"Escalated {report.escalated} contact(s) to supervisors; "
                                  f"chased {report.chased} overdue request(s) for information.")
            if not options["every"]:
                return
            close_old_connections()
            time.sleep(options["every"])
