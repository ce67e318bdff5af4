"""Feeds not in UTF-8: UTF-16 told by itself, other encodings named by the person importing,
and a refusal that says how to send a Windows-1252 file."""

import codecs

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from lantern.intake.importer import import_paths
from lantern.intake.models import HeldLine
from lantern.intake.reader import check_encoding, count_lines, open_feed, sniffed_encoding
from lantern.people.models import SourceRecord
from tests.intake.feeds import AGENCIES, person

pytestmark = pytest.mark.django_db

CSV_IN_WINDOWS_1252 = "agency,source_id,given_names,family_name\nmet,C1,Zoë,O’Brien\nmet,C2,José,Núñez\n"


@pytest.fixture
def agencies(tmp_path):
    (tmp_path / "agencies.jsonl").write_bytes(b"\n".join(orjson.dumps(a) for a in AGENCIES) + b"\n")
    return tmp_path / "agencies.jsonl"


def people_text(count: int = 3, given_names: str = "Zoë Łucja") -> str:
    return "".join(orjson.dumps(person(f"P{n}", given_names=given_names)).decode() + "\n" for n in range(count))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_without_its_byte_order_mark_is_read(tmp_path, agencies, encoding):
    (tmp_path / "feed.jsonl").write_bytes(people_text().encode(encoding))
    (tmp_path / "people.csv").write_bytes("agency,source_id,given_names\nmet,C1,Siân\n".encode(encoding))
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (2 + 3 + 1, 0)
    assert SourceRecord.objects.get(source_id="P2").given_names == "Zoë Łucja"
    assert SourceRecord.objects.get(source_id="C1").given_names == "Siân"


def test_a_utf8_file_with_zero_bytes_in_its_first_line_is_not_taken_for_utf16(tmp_path, agencies):
    junk = b"{\x00\x00\x00k\x00i\x00n\x00d\x00"  # zero bytes, but not beside every character
    (tmp_path / "feed.jsonl").write_bytes(junk + b"\n" + people_text().encode())
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (2 + 3, 1)
    assert HeldLine.objects.get().line_number == 1


@pytest.mark.parametrize(("start", "expected"), [
    (codecs.BOM_UTF16_LE + "{".encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF16_BE + "{".encode("utf-16-be"), "utf-16"),
    ('{"kind": "person", "agency"'.encode("utf-16-le"), "utf-16-le"),
    ("agency,source_id".encode("utf-16-be"), "utf-16-be"),
    (b'{"kind": "person", "agency"', None),
    (codecs.BOM_UTF8 + b"agency,source_id", None),
    (b"{\x00", None),  # too little to tell
    (b"\x00\n\x00\n", None),  # NULs and line feeds: nothing a feed starts with
    ("{Zoë}".encode("utf-16-le"), None),  # a feed starts with ASCII
    (b"", None),
])
def test_utf16_is_told_from_a_files_first_bytes(start, expected):
    assert sniffed_encoding(start[:32]) == expected


def test_lines_of_a_utf16_file_are_counted_exactly_for_the_progress_bar(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = ['{"kind": "person", "agency": "met"}', "\u0a00\u0a0a", "{}"]  # the second has three 0x0a bytes
    path.write_bytes("\n".join(lines).encode("utf-16-le"))
    assert count_lines([path]) == 2


def test_a_file_in_a_named_encoding_is_imported_and_again_changes_nothing(tmp_path, agencies):
    (tmp_path / "people.csv").write_bytes(CSV_IN_WINDOWS_1252.encode("cp1252"))
    (tmp_path / "feed.jsonl").write_bytes(people_text(2, "Zoë Lucja").encode("cp1252"))
    for _ in range(2):
        call_command("import", str(agencies), str(tmp_path / "people.csv"), str(tmp_path / "feed.jsonl"),
                     workers=1, encoding="windows-1252", verbosity=0)
    assert SourceRecord.objects.count() == 4
    assert SourceRecord.objects.get(source_id="C1").family_name == "O’Brien"
    assert SourceRecord.objects.get(source_id="C2").given_names == "José"
    assert SourceRecord.objects.get(source_id="P1").given_names == "Zoë Lucja"
    assert not HeldLine.objects.exists()


def test_bytes_not_in_the_named_encoding_hold_only_their_line(tmp_path, agencies):
    undefined_in_windows_1252 = b"\x81"
    lines = people_text(3, "Zoë").encode("cp1252").split(b"\n")
    lines[1] = lines[1].replace(b"Zo", b"Zo" + undefined_in_windows_1252)
    (tmp_path / "feed.jsonl").write_bytes(b"\n".join(lines))
    counts = import_paths([tmp_path], encoding="cp1252").counts
    assert (counts["created"], counts["quarantined"]) == (2 + 2, 1)
    assert HeldLine.objects.get().line_number == 2


def test_an_unknown_encoding_is_refused_before_anything_is_read(tmp_path, agencies):
    with pytest.raises(CommandError, match="'klingon' is not an encoding this importer knows"):
        call_command("import", str(agencies), workers=1, encoding="klingon")
    with pytest.raises(CommandError, match="'base64' is not an encoding of text"):
        call_command("import", str(agencies), workers=1, encoding="base64")
    assert not SourceRecord.objects.exists()
    assert check_encoding("Windows-1252") == "cp1252"


def test_a_windows_1252_line_is_held_with_what_it_says_and_how_to_send_it(tmp_path, agencies):
    (tmp_path / "feed.jsonl").write_bytes(orjson.dumps(person("P1", given_names="Zoë")).decode().encode("cp1252"))
    (tmp_path / "people.csv").write_bytes(CSV_IN_WINDOWS_1252.encode("cp1252"))
    assert import_paths([tmp_path]).counts["quarantined"] == 3
    reasons = {(held.source.rsplit("/", 1)[-1], held.line_number): held.reason for held in HeldLine.objects.all()}
    assert reasons[("feed.jsonl", 1)].startswith("is not UTF-8 text (byte ")
    assert "read as Windows-1252 (as Excel saves CSV) its characters beyond ASCII are 'ë'" in reasons[
        ("feed.jsonl", 1)]
    assert reasons[("people.csv", 2)] == (
        "is not UTF-8 text (in the column 'given_names'); read as Windows-1252 (as Excel saves CSV) its characters "
        "beyond ASCII are 'ë': if the file is in Windows-1252, import it with --encoding windows-1252, or save it as "
        "UTF-8 and send it again")
    assert "are 'é'" in reasons[("people.csv", 3)]
    # Only the letters: the reason shows on the feeds page, whose administrators see no case data.
    assert not any(name in reason for name in ("Zo", "Jos") for reason in reasons.values())


def test_a_hint_beside_control_characters_holds_none(tmp_path, agencies):
    """The fuzz run found a NUL beside a Windows-1252 letter: PostgreSQL cannot store a NUL in
    a reason, so the held line was counted twice."""
    (tmp_path / "people.csv").write_bytes(b"agency,source_id,given_names\nmet,C1,\x00Zo\xeb\x07\n")
    counts = import_paths([tmp_path]).counts
    assert (counts["read"], counts["created"], counts["quarantined"]) == (3, 2, 1)
    reason = HeldLine.objects.get().reason
    assert "its characters beyond ASCII are 'ë':" in reason and "\x00" not in reason


def test_a_utf8_file_is_refused_when_named_as_windows_1252_rather_than_go_in_garbled(tmp_path, agencies):
    (tmp_path / "feed.jsonl").write_text(people_text(2, "Zoë"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"These files are UTF-8, not windows-1252, and would go in garbled: .*feed"):
        call_command("import", str(agencies), str(tmp_path / "feed.jsonl"), workers=1, encoding="windows-1252")
    assert not SourceRecord.objects.exists()


def test_a_damaged_utf8_line_gets_no_windows_1252_hint(tmp_path, agencies):
    line = orjson.dumps(person("P1", given_names="Zoë", family_name="MorgXn")).replace(b"MorgXn", b"Morg\xe9n")
    (tmp_path / "feed.jsonl").write_bytes(line + b"\n")
    import_paths([tmp_path])
    assert HeldLine.objects.get().reason.endswith("is not valid UTF-8)")


def test_stray_bytes_get_no_such_hint(tmp_path, agencies):
    (tmp_path / "feed.jsonl").write_bytes(b'{"a": "\x81"}\n' + b"\xff\xfe not utf-8\n")
    import_paths([tmp_path])
    assert [held.reason for held in HeldLine.objects.order_by("line_number")] == [
        "is not UTF-8 text (byte 7 is not valid UTF-8)", "is not UTF-8 text (byte 0 is not valid UTF-8)"]


# What feeds start with: `{` or a CSV header's first letter, then printable ASCII and line breaks.
ascii_starts = st.text(st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("\t\r\n"),
                       min_size=15, max_size=40).map(lambda text: "{" + text)
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=300, deadline=None)
@given(start=ascii_starts, rest=any_text, encoding=st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_without_its_mark_is_told_and_read_back_whole(tmp_path_factory, start, rest, encoding):
    path = tmp_path_factory.mktemp("utf16") / "feed.jsonl"
    path.write_bytes((start + rest).encode(encoding))
    with open_feed(path) as handle:
        assert handle.read() == (start + rest).encode("utf-8", "surrogatepass")


# Bytes where zero bytes are common, as they would be in UTF-16 or in a broken file.
zero_heavy = st.lists(st.sampled_from([0, 0, 10, 65, 123, 195, 255]), max_size=40).map(bytes)


@settings(max_examples=500, deadline=None)
@given(data=zero_heavy | any_text.map(lambda text: text.encode("utf-8")))
def test_a_file_is_taken_for_utf16_only_when_a_zero_byte_is_beside_every_character_of_its_start(data):
    head = data[:32][:len(data[:32]) - len(data[:32]) % 2]
    beside = {"utf-16-le": (head[0::2], head[1::2]), "utf-16-be": (head[1::2], head[0::2])}
    told = sniffed_encoding(data[:32])
    def ascii_start(characters: bytes) -> bool:
        return all(32 <= c < 127 or c in b"\t\r\n" for c in characters) and any(32 < c < 127 for c in characters)

    if told in beside:
        characters, zeros = beside[told]
        assert len(head) >= 4 and ascii_start(characters) and not any(zeros)
    elif data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        assert told is None
        assert not (len(head) >= 4 and any(ascii_start(c) and not any(z) for c, z in beside.values()))


def test_lines_of_nuls_are_refused_not_read_as_utf16(tmp_path, agencies):
    # Found by the hostile-input property test: b"\x00\n\x00\n" looked like UTF-16 and read as blank lines.
    (tmp_path / "feed.jsonl").write_bytes(b"\x00\n\x00\n")

    counts = import_paths([agencies, tmp_path / "feed.jsonl"]).counts

    assert (counts["read"], counts["quarantined"]) == (len(AGENCIES) + 2, 2)
