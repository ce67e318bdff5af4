"""`lantern import`: paths it cannot read are refused before anything goes in, and Ctrl-C stops it in words."""

import codecs
import os
import signal
from importlib import import_module
from pathlib import Path

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lantern.intake.importer import _parsed_chunks, import_paths
from lantern.intake.models import ImportRun
from lantern.intake.parsing import RawLine
from lantern.intake.transfer import parse_packed
from lantern.intake.writer import ChunkWriter
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord
from tests.intake.feeds import AGENCIES, person, write_feed

pytestmark = pytest.mark.django_db

command = import_module("lantern.intake.management.commands.import")

STOPPED = (
    "The import was stopped. Every chunk of lines written so far is kept whole (each is written "
    "in one transaction), and nothing half-written is kept. Run the same command again to take "
    "the rest: the lines already in are found unchanged, so nothing is doubled.\n"
)


@pytest.fixture
def agencies(tmp_path):
    return write_feed(tmp_path / "agencies.jsonl", AGENCIES)


def unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Take away read permission from a file or directory, even from root, who reads anything."""
    path.chmod(0)
    if os.geteuid() == 0:
        def refused(real):
            def call(target, *args, **kwargs):
                if Path(target) == path:
                    raise PermissionError(13, "Permission denied", str(target))
                return real(target, *args, **kwargs)
            return call
        monkeypatch.setattr(os, "open", refused(os.open))
        monkeypatch.setattr(os, "scandir", refused(os.scandir))
    return path


def test_ctrl_c_says_what_was_kept_and_exits_130(agencies, monkeypatch, capsys):
    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "import_with_progress", stopped)
    # Caught either way, as a KeyboardInterrupt let through would stop the test run itself.
    with pytest.raises((SystemExit, KeyboardInterrupt)) as stop:
        call_command("import", str(agencies), workers=1)
    assert (stop.type, getattr(stop.value, "code", None)) == (SystemExit, 130)
    assert capsys.readouterr() == ("", STOPPED)


def parse_if_deaf_to_ctrl_c(packed: bytes, linking: bool) -> bytes:
    """A parsing process's work, done only by a worker that ignores Ctrl-C (module level, so
    the pool can send it to its workers)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        raise RuntimeError("this parsing process would die of Ctrl-C, printing a traceback")
    return parse_packed(packed, linking)


def test_ctrl_c_stops_the_import_and_not_its_parsing_processes(monkeypatch):
    # The terminal sends Ctrl-C to the workers too; the import, stopped, ends them itself.
    monkeypatch.setattr("lantern.intake.importer.parse_packed", parse_if_deaf_to_ctrl_c)
    lines = [RawLine("met.jsonl", n, orjson.dumps(person(f"P{n}"))) for n in range(1, 5)]

    parsed = list(_parsed_chunks(iter([lines[:2], lines[2:]]), workers=2, linking=False))

    assert [size for size, _ in parsed] == [2, 2]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # this process still stops


def test_a_chunk_stopped_half_way_is_not_counted(tmp_path, agencies, monkeypatch):
    feed = write_feed(tmp_path / "met.jsonl", [person("P1"), person("P2")])
    monkeypatch.setattr(ChunkWriter, "_persons", lambda self, lines, changes: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        import_paths([agencies, feed])

    run = ImportRun.objects.get()
    assert (run.counts["read"], run.counts["created"], run.counts["stopped"]) == (0, 0, 1)
    assert not SourceRecord.objects.exists()


def test_a_stopped_import_keeps_what_it_wrote_and_closes_its_run(tmp_path, agencies, monkeypatch):
    feed = write_feed(tmp_path / "met.jsonl", [person("P1"), person("P2")])
    real_write = ChunkWriter.write

    def write_then_stop(self, chunk, meanwhile=None):
        real_write(self, chunk, meanwhile)
        raise KeyboardInterrupt

    monkeypatch.setattr(ChunkWriter, "write", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        import_paths([agencies, feed])

    run = ImportRun.objects.get()
    assert run.finished_at is not None
    assert (run.counts["read"], run.counts["created"], run.counts["stopped"]) == (4, 4, 1)
    assert SourceRecord.objects.count() == 2


def test_paths_that_cannot_be_read_are_named_and_nothing_is_imported(tmp_path, agencies, monkeypatch):
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "gone.jsonl")
    (tmp_path / "loop.jsonl").symlink_to(tmp_path / "loop.jsonl")
    locked = unreadable(write_feed(tmp_path / "locked.jsonl", [person("P1")]), monkeypatch)
    locked_dir = tmp_path / "locked"
    write_feed(locked_dir / "met.jsonl", [person("P2")])
    unreadable(locked_dir, monkeypatch)
    os.mkfifo(tmp_path / "pipe.jsonl")
    named = [agencies, tmp_path / "missing.jsonl", tmp_path / "link.jsonl", tmp_path / "loop.jsonl", locked,
             locked_dir, tmp_path / "pipe.jsonl", agencies / "inside.jsonl"]

    with pytest.raises(CommandError) as refused:
        call_command("import", *map(str, named), workers=1)

    denied = "may not be read by the user running the import (permission denied)"
    assert str(refused.value) == (
        f"Nothing was imported: {tmp_path}/missing.jsonl does not exist; "
        f"{tmp_path}/link.jsonl is a link to {tmp_path}/gone.jsonl, which does not exist; "
        f"{tmp_path}/loop.jsonl is a link that leads round in a loop; "
        f"{locked} {denied}; {locked_dir} {denied}; "
        f"{tmp_path}/pipe.jsonl is not a file or a directory; "
        f"{agencies}/inside.jsonl does not exist."
    )
    assert (ImportRun.objects.count(), Agency.objects.count()) == (0, 0)


def test_a_file_without_read_permission_is_refused_before_anything_is_imported(tmp_path, agencies, monkeypatch):
    locked = unreadable(write_feed(tmp_path / "met.jsonl", [person("P1")]), monkeypatch)
    with pytest.raises(CommandError, match=(
            rf"^Nothing was imported: {locked} may not be read by the user running the import "
            rf"\(permission denied\)\.$")):
        call_command("import", str(agencies), str(locked), workers=1)
    assert (ImportRun.objects.count(), Agency.objects.count()) == (0, 0)


def test_a_directory_named_like_a_feed_file_is_read_as_a_directory(tmp_path, capsys):
    write_feed(tmp_path / "x.jsonl" / "agencies.jsonl", AGENCIES)
    call_command("import", str(tmp_path / "x.jsonl"), workers=1)
    assert capsys.readouterr().out.startswith("Read 2 lines: 2 created,")
    assert Agency.objects.filter(code__in=["met", "csc-e09000012"]).count() == 2


def test_a_folder_is_read_once_each_file_in_any_case_and_what_only_looks_like_a_feed_passed_over(
        tmp_path, agencies, caplog):
    folder = tmp_path / "feeds"
    write_feed(folder / "MET.JSONL", [person("P1")])
    (folder / "PEOPLE.CSV").write_text("agency,source_id,given_names\nmet,P2,Ann\n")
    (folder / "archive.jsonl").mkdir()
    (folder / "gone.jsonl").symlink_to(folder / "nowhere.jsonl")
    (folder / "loop.jsonl").symlink_to(folder / "loop.jsonl")

    # The folder, a file in it named again, and the folder again: each file is read once.
    call_command("import", str(agencies), str(folder), str(folder / "MET.JSONL"), str(folder), workers=1)

    assert ImportRun.objects.get().counts["read"] == len(AGENCIES) + 2
    assert SourceRecord.objects.count() == 2
    passed_over = sorted(r.getMessage() for r in caplog.records if r.getMessage().startswith("Passed over"))
    assert [message.split(": ")[0].rsplit("/", 1)[-1] for message in passed_over] == [
        "archive.jsonl", "gone.jsonl", "loop.jsonl"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_file_named_utf16_or_utf32_without_a_byte_order_mark_is_refused_in_words(tmp_path, agencies, encoding):
    feed = write_feed(tmp_path / "met.jsonl", [person("P1")])  # ASCII, so no order can be told

    with pytest.raises(CommandError) as refused:
        call_command("import", str(feed), encoding=encoding, workers=1)

    assert str(refused.value) == (
        f"Nothing was imported: {feed} does not start with a byte order mark, which {encoding} needs: name the "
        f"order ({encoding}-le or {encoding}-be), or import it without --encoding if it is UTF-8.")
    assert not ImportRun.objects.exists()


def test_a_utf16_file_without_a_mark_named_utf16_is_read_in_the_order_its_zero_bytes_show(tmp_path, agencies):
    feed = tmp_path / "met.jsonl"
    feed.write_bytes((orjson.dumps(person("P1", given_names="Zoë")).decode() + "\n").encode("utf-16-le"))

    call_command("import", str(agencies), workers=1)

    call_command("import", str(feed), encoding="utf-16", workers=1)

    assert SourceRecord.objects.get().given_names == "Zoë"


@pytest.mark.parametrize("named", ["utf-16-le", "utf-16"])
def test_a_utf16_file_with_its_mark_named_with_or_without_its_order_is_read(tmp_path, agencies, named):
    feed = tmp_path / "met.csv"
    feed.write_bytes(codecs.BOM_UTF16_LE + "agency,source_id,given_names\nmet,P1,Zoë\n".encode("utf-16-le"))
    call_command("import", str(agencies), workers=1)

    call_command("import", str(feed), encoding=named, workers=1)

    assert SourceRecord.objects.get().given_names == "Zoë"


def test_a_utf16_file_named_utf8_is_refused_in_words(tmp_path, agencies):
    feed = tmp_path / "met.jsonl"
    feed.write_bytes(orjson.dumps(person("P1")).decode().encode("utf-16-le"))

    with pytest.raises(CommandError, match=r"met.jsonl is in UTF-16, not UTF-8: import it without --encoding"):
        call_command("import", str(feed), encoding="utf-8", workers=1)


def test_a_byte_not_in_the_named_encoding_is_said_to_be_so(tmp_path, agencies):
    feed = tmp_path / "met.jsonl"
    feed.write_bytes(orjson.dumps(person("P1", given_names="ZoX")).replace(b"ZoX", b"Zo\x81") + b"\n")
    call_command("import", str(agencies), workers=1)

    with pytest.raises(SystemExit):
        call_command("import", str(feed), encoding="windows-1252", workers=1)

    from lantern.intake.models import HeldLine
    assert HeldLine.objects.get().reason == (
        "holds a byte that is not a character in the encoding the file was read in (the one named with "
        "--encoding, or UTF-16): check which encoding the file is in")
