"""`lantern schema`: print the interchange JSON Schemas that agencies' feeds follow."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantern.events.models import EventType
from lantern.events.schemas import attribute_schema
from lantern.intake.interchange import KINDS, line_schema


class Command(BaseCommand):
    help = "Print the JSON Schema (2020-12) for feed lines, or for one event type's attributes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", choices=KINDS, help="Print only this kind of line")
        parser.add_argument("--event-type", choices=EventType.values, help="Print this event type's attributes")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["event_type"]:
            schema = attribute_schema(options["event_type"])
            if schema is None:
                raise CommandError(f"No schema for {options['event_type']}")
            self.stdout.write(json.dumps(schema, indent=2))
            return
        kinds = [options["kind"]] if options["kind"] else list(KINDS)
        schemas = {kind: line_schema(kind) for kind in kinds}
        self.stdout.write(json.dumps(schemas[kinds[0]] if len(kinds) == 1 else schemas, indent=2))
