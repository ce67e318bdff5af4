"""`lantern quarantine`: numbers it cannot use are refused in words, and a retry names only open held lines."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lantern.intake.importer import import_paths
from lantern.intake.models import HeldLine, HeldStatus
from lantern.people.models import SourceRecord
from tests.intake.feeds import AGENCIES, person, write_feed

pytestmark = pytest.mark.django_db

TOO_LARGE = str(2**63)  # one more than the database's integers hold


@pytest.fixture
def held(tmp_path):
    """A line held because its agency is not registered yet."""
    import_paths([write_feed(tmp_path / "met.jsonl", [person("P1")])])
    return HeldLine.objects.get()


@pytest.mark.parametrize("limit", ["-1", "0"])
def test_list_refuses_a_limit_below_one(held, limit):
    with pytest.raises(CommandError, match=(
            rf"^Error: argument --limit: the number of lines to show must be a whole number "
            rf"from 1 to 9,223,372,036,854,775,807, not {limit}$")):
        call_command("quarantine", "list", "--limit", limit)


def test_list_refuses_a_limit_beyond_what_the_database_holds(held):
    with pytest.raises(CommandError, match=rf"the number of lines to show must be .*, not {TOO_LARGE}$"):
        call_command("quarantine", "list", "--limit", TOO_LARGE)


def test_list_shows_as_many_as_the_limit(held, capsys):
    call_command("quarantine", "list", "--limit", "1")
    assert capsys.readouterr().out.endswith("1 held line(s)\n")


@pytest.mark.parametrize("argv", [
    ["show", TOO_LARGE], ["retry", TOO_LARGE], ["dismiss", TOO_LARGE, "--reason", "gone"],
    ["show", "0"], ["retry", "-47"], ["dismiss", "0", "--reason", "gone"],
])
def test_ids_outside_what_the_database_holds_are_refused_in_words(held, argv):
    with pytest.raises(CommandError, match=(
            rf"^Error: argument ids?: a held line's id must be a whole number "
            rf"from 1 to 9,223,372,036,854,775,807, not {argv[1]}$")):
        call_command("quarantine", *argv)
    held.refresh_from_db()
    assert (held.status, held.attempts) == (HeldStatus.QUARANTINED, 1)


def test_an_id_that_is_not_a_number_is_refused_in_words(held):
    with pytest.raises(CommandError, match=r"^Error: argument id: a held line's id must be a whole number, "
                                           r"such as 47, not 'forty-seven'$"):
        call_command("quarantine", "show", "forty-seven")


def test_retry_refuses_an_unknown_id_and_retries_nothing(tmp_path, held):
    import_paths([write_feed(tmp_path / "agencies.jsonl", AGENCIES)])  # P1 would now go in
    with pytest.raises(CommandError, match=r"^No open held line 99999: nothing was retried$"):
        call_command("quarantine", "retry", str(held.pk), "99999")
    held.refresh_from_db()
    assert (held.status, held.attempts) == (HeldStatus.QUARANTINED, 1)
    assert not SourceRecord.objects.filter(source_id="P1").exists()


def test_retry_refuses_a_line_no_longer_held(tmp_path, held, capsys):
    import_paths([write_feed(tmp_path / "agencies.jsonl", AGENCIES)])
    call_command("quarantine", "retry", str(held.pk))
    assert "1 of 1 held line went in; 0 still held." in capsys.readouterr().out
    with pytest.raises(CommandError, match=rf"^No open held line {held.pk}: nothing was retried$"):
        call_command("quarantine", "retry", str(held.pk))


@pytest.mark.parametrize("text", ["4_2", "٤٢", " 42"])
def test_an_id_only_int_would_read_is_refused(held, text):
    with pytest.raises(CommandError, match=r"a held line's id must be a whole number, such as 47, not "):
        call_command("quarantine", "show", text)


def test_show_draws_a_lines_control_characters_as_pictures(tmp_path, capsys):
    import_paths([write_feed(tmp_path / "met.jsonl", [b'{"kind": "person", "x": "\x1b[2J\x07"}'])])

    call_command("quarantine", "show", str(HeldLine.objects.get().pk))

    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown and "\u241b[2J\u2407" in shown
