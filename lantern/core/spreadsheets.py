"""CSV that spreadsheets open safely: UTF-8 with a byte-order mark, and no cell read as a formula.

Exports carry text that agencies sent (references, names, reasons quoting them). A cell that
begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and its kin
(OWASP, "CSV injection"), so such a cell is written with a leading apostrophe, which
spreadsheets show as text and do not display.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Return a value as CSV cell text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable[Any]], rows_a_chunk: int = 1000) -> Iterator[bytes]:
    """Yield CSV (the byte-order mark, the header, then the rows) as bytes, a chunk of rows at a
    time, so an export of any length is streamed in bounded memory."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    first = "\ufeff"
    for number, row in enumerate(rows, 1):
        writer.writerow([safe_cell(value) for value in row])
        if number % rows_a_chunk == 0:
            yield (first + out.getvalue()).encode("utf-8")
            first = ""
            out.seek(0)
            out.truncate()
    yield (first + out.getvalue()).encode("utf-8")
