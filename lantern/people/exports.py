"""A person's chronology as CSV or PDF, marked on every row or page with who exported it and when.

An export leaves the system, so the mark goes with it: a copy found later still says whose
it was. Writing the audit entry is the caller's job (the view does it through `audit_write`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from lantern.core.spreadsheets import csv_chunks

from .profile import ChronologyEntry

CSV_COLUMNS = ("occurred_at", "agency", "event_type", "role", "outcome", "received_at", "agency_reference",
               "exported_by", "exported_at")
MARKING = "OFFICIAL-SENSITIVE"
# A Unicode font if the machine has one (Debian's fonts-dejavu); else PDF's built-in Helvetica,
# which knows only Latin-1, so other letters are written without their accents.
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class ExportMark:
    """Who exported, and when: printed on every row and page."""

    who: str
    at: datetime
    person_reference: str

    @property
    def stamp(self) -> str:
        return timezone.localtime(self.at).strftime("%d %b %Y %H:%M")

    def line(self) -> str:
        return f"{MARKING}. Chronology of person {self.person_reference}, exported by {self.who} on {self.stamp}."


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def chronology_csv(entries: Sequence[ChronologyEntry], mark: ExportMark) -> bytes:
    """Return the chronology as CSV that spreadsheets open safely (lantern.core.spreadsheets)."""
    rows = ([_when(entry.event.occurred_at), entry.event.agency.name, entry.event.get_type_display(),
             ", ".join(entry.roles), entry.outcome, _when(entry.event.received_at), entry.event.source_id,
             mark.who, mark.stamp] for entry in entries)
    return b"".join(csv_chunks(CSV_COLUMNS, rows))


class _ChronologyPdf(FPDF):
    def __init__(self, mark: ExportMark) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.mark = mark
        if UNICODE_FONT.is_file():
            self.add_font("body", "", str(UNICODE_FONT))
            # Table headings are bold; fall back to the regular face if the bold one is missing.
            self.add_font("body", "B", str(UNICODE_BOLD if UNICODE_BOLD.is_file() else UNICODE_FONT))
            self.body_font = "body"
        else:
            self.body_font = "helvetica"
        self.set_title(f"Chronology of person {mark.person_reference}")
        self.set_author(mark.who)
        self.set_auto_page_break(auto=True, margin=15)

    def text_for(self, value: str) -> str:
        if self.body_font == "body":
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.body_font, size=8)
        self.cell(0, 5, self.text_for(self.mark.line()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.body_font, size=8)
        self.cell(0, 5, f"{MARKING}. Page {self.page_no()} of {{nb}}", align="C")


def chronology_pdf(entries: Sequence[ChronologyEntry], mark: ExportMark, *, title: str) -> bytes:
    """Return the chronology as a landscape A4 PDF table."""
    pdf = _ChronologyPdf(mark)
    pdf.add_page()
    pdf.set_font(pdf.body_font, size=14)
    pdf.cell(0, 8, pdf.text_for(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.body_font, size=8)
    if not entries:
        pdf.cell(0, 6, "No events match the filter.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(pdf.output())
    with pdf.table(col_widths=(24, 45, 40, 30, 110, 24), text_align="LEFT", line_height=4.5) as table:
        table.row(["Date", "Agency", "Event", "Role", "Outcome", "Received"])
        for entry in entries:
            event = entry.event
            table.row([pdf.text_for(value) for value in (
                _when(event.occurred_at), event.agency.name, event.get_type_display(), ", ".join(entry.roles),
                entry.outcome, _when(event.received_at))])
    return bytes(pdf.output())
