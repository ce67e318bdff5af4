"""`lantern clocks [--every SECONDS]`: escalate overdue and unallocated contacts, chase overdue partner answers."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from lantern.referrals.services import clocks_check
from lantern.safeguarding.engine import rules_run_scheduled


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
            # The safeguarding rules' clocks run beside the front door's: a child still in a cell, visits due,
            # overdue tasks and unread notifications.
            rules = rules_run_scheduled()
            if sum(rules.fired.values()) or rules.escalated_tasks or rules.escalated_notifications \
                    or not options["every"]:
                self.stdout.write(f"Safeguarding rules: {sum(rules.fired.values())} firing(s); escalated "
                                  f"{rules.escalated_tasks} overdue task(s) and {rules.escalated_notifications} "
                                  "unread notification(s).")
            if not options["every"]:
                return
            close_old_connections()
            time.sleep(options["every"])
