"""`lantern demo`: migrate, load made-up data, create one user per role, and serve."""

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from lantern.demo.data import DEMO_USERS, load_demo_data


class Command(BaseCommand):
    help = "Set up a demonstration of Lantern with made-up data and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Set up, but do not serve")
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="ADDR:PORT")

    def handle(self, *args: Any, **options: Any) -> None:
        if os.environ.get("LANTERN_ENV") == "production":
            self.stderr.write("lantern demo never runs with production settings.")
            raise SystemExit(2)
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo_data()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {counts['people']} people, {counts['records']} records, "
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
