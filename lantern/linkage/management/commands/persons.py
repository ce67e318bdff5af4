"""`lantern persons export`: the clustering, one row per source record, for checking with other tools."""

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.linkage.selectors import clustering


class Command(BaseCommand):
    help = "Export which person each source record belongs to."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write agency,source_id,person_reference for every record")
        export.add_argument("--format", choices=("csv",), default="csv")
        export.add_argument("--out", type=Path, help="File to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["out"].open("w", newline="", encoding="utf-8") if options["out"] else sys.stdout
        try:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(("agency", "source_id", "person_reference"))
            rows = 0
            for row in clustering():
                writer.writerow(row)
                rows += 1
        finally:
            if options["out"]:
                out.close()
        audit_write(actor=None, verb=AuditVerb.EXPORT, target=None,
                    payload={"what": "person clustering", "rows": rows, "to": str(options["out"] or "stdout")})
        if options["out"]:
            self.stderr.write(f"Wrote {rows:,} rows to {options['out']}.")
