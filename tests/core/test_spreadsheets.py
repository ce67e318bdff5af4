"""CSV that spreadsheets open safely: no cell starts a formula, any length streams."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from lantern.core.spreadsheets import FORMULA_STARTS, csv_chunks, safe_cell


def _read(chunks: list[bytes]) -> list[list[str]]:
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_cells_that_would_be_formulas_are_written_as_text():
    assert safe_cell('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert [safe_cell(v) for v in ("+1", "-2", "@SUM(A1)", "\tx", "\rx")] == ["'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx"]
    assert [safe_cell(v) for v in ("CRIS-P-1", "a=b", 7, None, "")] == ["CRIS-P-1", "a=b", "7", "", ""]


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=30), st.integers(1, 7))
def test_rows_come_back_whole_and_safe_however_they_are_chunked(rows, rows_a_chunk):
    chunks = list(csv_chunks(("a", "b"), rows, rows_a_chunk=rows_a_chunk))

    read = _read(chunks)
    assert read[0] == ["a", "b"]
    assert read[1:] == [[safe_cell(cell) for cell in row] for row in rows]
    assert not any(cell.startswith(FORMULA_STARTS) for row in read for cell in row)
