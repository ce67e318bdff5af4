"""`lantern rules list|enable|disable|replay|scheduled`: the safeguarding rules, per borough."""

import argparse
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.db.models import Count
from rich.console import Console
from rich.table import Table

from lantern.organisations.models import Borough
from lantern.safeguarding.engine import RunReport, rules_replay, rules_run_scheduled
from lantern.safeguarding.models import RuleFiring, RuleSetting
from lantern.safeguarding.rules import RULES
from lantern.safeguarding.services import rule_setting_change


def _django_options() -> CommandParser:
    """Return Django's own options for the subcommands, so `rules list --settings=...` works."""
    common = CommandParser(add_help=False)
    for flag in ("--settings", "--pythonpath"):
        common.add_argument(flag, default=argparse.SUPPRESS)
    for flag in ("--traceback", "--no-color", "--force-color", "--skip-checks"):
        common.add_argument(flag, action="store_true", default=argparse.SUPPRESS)
    common.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=argparse.SUPPRESS)
    return common


class Command(BaseCommand):
    help = "List the safeguarding rules, switch one on or off in a borough, replay them over stored events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        common = _django_options()
        listing = sub.add_parser("list", parents=[common], help="Every rule: code, version, triggers, policy, "
                                                                "where it is off, and how often it fired")
        listing.add_argument("--borough", default="", help="show whether each rule is on in this borough")
        for name, verb in (("enable", "on"), ("disable", "off")):
            switch = sub.add_parser(name, parents=[common], help=f"Switch a rule {verb} in a borough")
            switch.add_argument("code", help="the rule's code, from `lantern rules list`")
            switch.add_argument("--borough", required=True, help="the borough's ONS code, e.g. E09000012")
        replay = sub.add_parser("replay", parents=[common], help="Run the rules over every stored event, each "
                                                                 "as of its own time (the same facts never fire twice)")
        replay.add_argument("--boroughs", default="", help="comma-separated ONS codes (default: all)")
        scheduled = sub.add_parser("scheduled", parents=[common], help="Run the time-based rules and escalate "
                                                                       "overdue tasks and unread notifications")
        scheduled.add_argument("--every", type=int, default=0, metavar="SECONDS", help="keep running this often")

    def handle(self, *args: Any, **options: Any) -> None:
        self.console = Console(file=self.stdout, width=200, soft_wrap=True)  # type: ignore[arg-type]
        getattr(self, f"_{options['action']}")(options)

    def _borough(self, code: str) -> Borough:
        borough = Borough.objects.filter(ons_code=code.upper()).first()
        if borough is None:
            raise CommandError(f"{code!r} is not a London borough's ONS code (E09000001 to E09000033)")
        return borough

    def _list(self, options: dict[str, Any]) -> None:
        off: dict[str, list[str]] = {}
        for rule_code, ons_code in RuleSetting.objects.filter(enabled=False).values_list("rule", "borough__ons_code"):
            off.setdefault(rule_code, []).append(ons_code)
        fired = dict(RuleFiring.objects.values("rule").annotate(n=Count("pk")).values_list("rule", "n"))
        borough = self._borough(options["borough"]) if options["borough"] else None
        table = Table("code", "name", "version", "triggers", "off in", "fired", "policy", title="Safeguarding rules",
                      title_justify="left")
        for rule in RULES:
            off_in = sorted(off.get(rule.code, []))
            if borough is not None:
                off_in = ["off" if borough.ons_code in off_in else "on"]
            table.add_row(rule.code, rule.name, rule.version, ", ".join(sorted(rule.triggers)),
                          ", ".join(off_in) or "-", str(fired.get(rule.code, 0)), rule.policy)
        self.console.print(table)

    def _switch(self, options: dict[str, Any], enabled: bool) -> None:
        borough = self._borough(options["borough"])
        try:
            rule_setting_change(rule=options["code"], borough=borough, enabled=enabled, changed_by="lantern rules")
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from None
        self.stdout.write(f"{options['code']} is now {'on' if enabled else 'off'} in {borough.name}.")

    def _enable(self, options: dict[str, Any]) -> None:
        self._switch(options, True)

    def _disable(self, options: dict[str, Any]) -> None:
        self._switch(options, False)

    def _replay(self, options: dict[str, Any]) -> None:
        codes = [c.strip().upper() for c in options["boroughs"].split(",") if c.strip()]
        self._report(rules_replay(boroughs=codes))

    def _scheduled(self, options: dict[str, Any]) -> None:
        while True:
            self._report(rules_run_scheduled())
            if not options["every"]:
                return
            close_old_connections()
            time.sleep(options["every"])

    def _report(self, report: RunReport) -> None:
        self.stdout.write(f"Looked at {report.events} event(s) in {report.seconds:.1f}s: "
                          f"{sum(report.fired.values())} firing(s), {report.tasks} task(s), "
                          f"{report.notifications} notification(s), {report.contacts} contact(s); "
                          f"{report.closed} task(s) closed by the facts; escalated {report.escalated_tasks} "
                          f"overdue task(s) and {report.escalated_notifications} unread notification(s).")
        for code, count in sorted(report.fired.items()):
            self.stdout.write(f"  {code}: {count}")

