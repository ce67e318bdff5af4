"""`lantern clocks`: escalate overdue and unallocated contacts, and chase overdue partner answers."""

from typing import Any

from django.core.management.base import BaseCommand

from lantern.referrals.services import clocks_check


class Command(BaseCommand):
    help = ("Raise overdue or unallocated contacts with MASH supervisors and chase partners' overdue answers. "
            "Run it every few minutes (cron or a systemd timer); running it again changes nothing new.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = clocks_check()
        self.stdout.write(f"Escalated {report.escalated} contact(s) to supervisors; "
                          f"chased {report.chased} overdue request(s) for information.")
