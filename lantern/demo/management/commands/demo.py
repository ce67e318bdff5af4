"""`lantern demo`: generate a few boroughs of synthetic London, import them, add demo users, serve."""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from lantern.demo.data import DEMO_USERS, load_demo_data
from lantern.intake.console import describe_counts, import_with_progress
from lantern.intake.reader import feed_files
from lantern.linkage.models import LinkRun
from lantern.safeguarding.engine import rules_replay
from lantern.safeguarding.models import RuleFiring

# Hackney and Lambeth: two boroughs with busy safeguarding teams, quick to generate and import.
DEFAULT_BOROUGHS = "E09000012,E09000022"


class Command(BaseCommand):
    help = "Set up a demonstration of Lantern with synthetic data and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Set up, but do not serve")
        parser.add_argument("--boroughs", default=DEFAULT_BOROUGHS,
                            help="ONS codes to generate, comma-separated, or 'all' (default: Hackney and Lambeth)")
        parser.add_argument("--years", type=int, default=1, help="Years of history (default: %(default)s)")
        parser.add_argument("--scale", type=float, default=1.0, help="Volume multiplier (default: %(default)s)")
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="ADDR:PORT")

    def handle(self, *args: Any, **options: Any) -> None:
        if os.environ.get("LANTERN_ENV") == "production":
            self.stderr.write("lantern demo never runs with production settings.")
            raise SystemExit(2)
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        feeds = self._generate(options)
        self._import(feeds)
        if not LinkRun.objects.exists():
            self.stdout.write("Linking records into persons (the first time only: later records link as they arrive)…")
            call_command("link")
        if not RuleFiring.objects.exists():
            # Imports run the rules only on recent events, so a history back-load does not
            # flood anyone; the demo runs them over the whole history once, so the task lists,
            # notifications and workload show what the rules do.
            self.stdout.write("Running the safeguarding rules over the history (the first time only)…")
            report = rules_replay()
            self.stdout.write(f"The rules made {report.tasks:,} tasks and {report.notifications:,} notifications.")
        counts = load_demo_data()
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {counts['people']:,} people from {counts['records']:,} records; "
            f"{counts['users']} demo users."
        ))
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write("Sign in as any of: " + ", ".join(u[0] for u in DEMO_USERS))
        shown = "(from LANTERN_DEMO_PASSWORD)" if os.environ.get("LANTERN_DEMO_PASSWORD") else \
            settings.LANTERN_DEMO_PASSWORD
        self.stdout.write(f"Password: {shown}")
        if not options["no_serve"]:
            # Demo users can sign in only while demo mode is on: the server workers inherit it.
            os.environ["LANTERN_DEMO"] = "1"
            settings.LANTERN_DEMO = True
            call_command("serve", options["address"])

    def _generate(self, options: dict[str, Any]) -> Path:
        """Generate the synthetic feeds once for these settings; later runs reuse them."""
        name = f"{options['boroughs'].replace(',', '-')}_{options['years']}y_x{options['scale']}"
        folder = settings.DATA_DIR / "demo-feeds" / name
        if not (folder / "agencies.jsonl").exists():
            self.stdout.write(f"Generating synthetic feeds for {options['boroughs']}…")
            call_command("generate", boroughs=options["boroughs"], years=options["years"],
                         scale=options["scale"], seed=1, out=folder, verbosity=0)
        return folder

    def _import(self, folder: Path) -> None:
        run = import_with_progress(feed_files([folder]))
        self.stdout.write(describe_counts(run.counts))
