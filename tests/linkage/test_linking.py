"""Batch and real-time linking on a small generated borough, end to end through the database."""

import io
from collections import Counter
from pathlib import Path

import orjson
import pytest
from django.core.management import CommandError, call_command

from lantern.core.models import AuditEntry, AuditVerb
from lantern.intake import importer
from lantern.intake.importer import import_paths
from lantern.linkage.batch import link_features
from lantern.linkage.evaluation import evaluate
from lantern.linkage.features import blocking_keys, record_features
from lantern.linkage.models import LinkageModel, LinkKey, PersonChange, ReviewPair, ReviewStatus
from lantern.linkage.realtime import record_row
from lantern.linkage.selectors import clustering
from lantern.linkage.services import link_all, review_decide
from lantern.people.models import Person, SourceRecord
from lantern.people.services import source_record_receive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _predicted() -> dict[tuple[str, str], str]:
    return {(agency, source_id): reference for agency, source_id, reference in clustering()}


def test_linking_finds_the_true_persons(imported):
    run = link_all()

    result = evaluate(_predicted(), imported)
    assert result.pairwise.precision >= 0.97
    assert result.cluster.f1 >= 0.97
    assert run.persons == Person.objects.filter(merged_into__isnull=True).count()
    assert LinkKey.objects.count() >= SourceRecord.objects.count()
    assert AuditEntry.objects.filter(verb=AuditVerb.LINK_RUN).count() == 1


def test_linking_again_keeps_every_reference_and_orphans_nothing(imported):
    link_all()
    before = _predicted()

    run = link_all()

    assert _predicted() == before
    assert run.counts["persons_merged"] == run.counts["persons_created"] == run.counts["records_moved"] == 0
    # A person with no records left was merged, so its reference still leads somewhere.
    empty = Person.objects.filter(source_records__isnull=True)
    assert empty.exists() and not empty.filter(merged_into__isnull=True).exists()
    merged = PersonChange.objects.filter(kind="merged").first()
    assert merged is not None and merged.person.merged_into_id == merged.other_id


def test_the_python_scorer_gives_splinks_weights(imported):
    rows = [record_features(record_row(r)) for r in SourceRecord.objects.order_by("pk")]
    first = link_features(rows, seed=1)
    from splink import Linker

    from lantern.linkage.batch import db_api_for
    from lantern.linkage.model import features_table

    table = db_api_for("duckdb").register(features_table(rows))
    predictions = Linker(table, first.model.settings, log_level=None).inference.predict(
        threshold_match_probability=0.01).as_pyarrow_table().to_pylist()
    by_id = {row["unique_id"]: row for row in rows}
    scorer = first.model.scorer()

    assert len(predictions) > 500
    for pair in predictions:
        ours = scorer.score(by_id[pair["unique_id_l"]], by_id[pair["unique_id_r"]])
        assert ours.match_weight == pytest.approx(pair["match_weight"], abs=1e-6)


def test_training_is_reproducible_for_a_seed(imported):
    rows = [record_features(record_row(r)) for r in SourceRecord.objects.order_by("pk")]

    assert link_features(rows, seed=3).model.version == link_features(rows, seed=3).model.version


def test_a_reviewers_decision_wins_over_the_model_on_later_runs(imported):
    link_all()
    sizes = Counter(SourceRecord.objects.values_list("person_id", flat=True))
    pair_person = next(p for p, n in sizes.items() if n == 2)
    low, high = SourceRecord.objects.filter(person_id=pair_person).order_by("pk")
    reviewer = UserFactory()
    pair = ReviewPair.objects.create(record_low=low, record_high=high, match_weight=20, match_probability=0.999,
                                     raised_at=low.received_at)

    review_decide(pair=pair, same=False, reason="Different fathers named on the birth records", actor=reviewer)
    link_all()

    low.refresh_from_db()
    high.refresh_from_db()
    assert low.person_id != high.person_id
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.DIFFERENT
    assert AuditEntry.objects.filter(verb=AuditVerb.LINK_REVIEW, actor=reviewer).exists()


def test_a_new_record_joins_its_person_within_the_request(imported, django_assert_max_num_queries):
    link_all()
    known = SourceRecord.objects.filter(nhs_number="").select_related("agency", "person").first()
    data = {"given_names": known.given_names, "family_name": known.family_name, "aliases": [],
            "date_of_birth": known.date_of_birth, "sex": known.sex, "nhs_number": "", "phone": "", "email": "",
            "school_urn": "", "address": {"line1": known.address_line1, "line2": "", "town": "",
                                          "postcode": known.postcode, "uprn": known.uprn}}

    with django_assert_max_num_queries(30):
        result = source_record_receive(agency=known.agency, source_id="NEW-1", data=data)

    assert result.record.person_id == known.person_id


def test_a_new_record_that_matches_nobody_is_a_new_person(imported):
    link_all()
    agency = SourceRecord.objects.first().agency
    data = {"given_names": "Xanthippe", "family_name": "Quorringdale", "date_of_birth": "2011-02-03",
            "sex": "female", "address": {"line1": "1 Nowhere Lane", "postcode": "E8 1DY"}}

    result = source_record_receive(agency=agency, source_id="NEW-2", data=data)

    assert SourceRecord.objects.filter(person=result.record.person).count() == 1
    assert LinkKey.objects.filter(record=result.record).exists()


def _feed_again(known: SourceRecord, source_id: str, folder: Path) -> Path:
    """Write a feed holding a known person's record again, from the same agency under a new id."""
    line = {"kind": "person", "agency": known.agency.code, "source_id": source_id,
            "given_names": known.given_names, "family_name": known.family_name,
            "date_of_birth": known.date_of_birth, "sex": known.sex,
            "address": {"line1": known.address_line1, "postcode": known.postcode}}
    (folder / "feed.jsonl").write_bytes(orjson.dumps(line) + b"\n")
    return folder / "feed.jsonl"


def test_an_import_links_new_records_as_they_arrive(imported, tmp_path):
    link_all()
    known = SourceRecord.objects.filter(dob_day__isnull=False).select_related("agency").first()

    import_paths([_feed_again(known, "FEED-NEW-1", tmp_path)])

    assert SourceRecord.objects.get(source_id="FEED-NEW-1").person_id == known.person_id


def test_records_linked_by_a_model_made_active_during_an_import_get_their_blocking_keys(imported, tmp_path,
                                                                                     monkeypatch):
    # The import began before the model was active, so its parsing made no blocking keys.
    parsed_chunks = importer._parsed_chunks
    monkeypatch.setattr(importer, "_parsed_chunks",
                        lambda chunks, workers, linking: parsed_chunks(chunks, workers, linking=False))
    link_all()
    known = SourceRecord.objects.filter(dob_day__isnull=False).select_related("agency").first()

    import_paths([_feed_again(known, "FEED-NEW-2", tmp_path)])

    record = SourceRecord.objects.get(source_id="FEED-NEW-2")
    assert record.person_id == known.person_id
    keys = set(blocking_keys(record_features(record_row(record))))
    assert keys and set(LinkKey.objects.filter(record=record).values_list("key", flat=True)) == keys


def test_an_import_before_the_first_model_leaves_the_blocking_keys_to_lantern_link(imported):
    assert SourceRecord.objects.exists() and not LinkKey.objects.exists()
    link_all()
    assert LinkKey.objects.count() >= SourceRecord.objects.count()


def test_link_evaluate_and_export_commands(imported, small_borough, tmp_path):
    call_command("link", stdout=io.StringIO())
    out = io.StringIO()

    call_command("link", "--evaluate", str(small_borough / "truth.jsonl"), stdout=out)
    call_command("persons", "export", "--format", "csv", "--out", str(tmp_path / "persons.csv"),
                 stderr=io.StringIO())

    assert "pairwise" in out.getvalue() and "cluster" in out.getvalue()
    lines = (tmp_path / "persons.csv").read_text().splitlines()
    assert lines[0] == "agency,source_id,person_reference"
    assert len(lines) == SourceRecord.objects.count() + 1
    assert LinkageModel.objects.filter(active=True).count() == 1
    assert AuditEntry.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_a_bad_truth_file_is_refused_with_its_line(db, tmp_path):
    truth = tmp_path / "truth.jsonl"
    truth.write_text('{"agency": "met", "source_id": "1", "person_id": "P1"}\nnot json\n')

    with pytest.raises(CommandError, match="line 2"):
        call_command("link", "--evaluate", str(truth))


def test_records_still_go_in_when_the_saved_model_no_longer_fits(imported, caplog):
    link_all()
    LinkageModel.objects.filter(active=True).update(parameters={"format": 0})
    from lantern.linkage import realtime

    realtime._scorers.clear()
    agency = SourceRecord.objects.first().agency

    result = source_record_receive(agency=agency, source_id="AFTER-UPGRADE", data={"given_names": "Ada"})

    assert result.record.person_id is not None
    assert "lantern link --retrain" in caplog.text
    with pytest.raises(CommandError, match="--retrain"):
        call_command("link")
