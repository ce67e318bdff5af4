"""Writes that change who is who: batch linking, real-time linking, reviews, merges and splits.

Every one of them writes an audit entry, and every change to a person's records is kept
in PersonChange, so a person's history shows how it came to hold what it holds.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.access import MIN_REASON_LENGTH
from lantern.core.audit import audit_write
from lantern.core.db import refresh_planner_statistics
from lantern.core.models import AuditVerb
from lantern.intake.bulk import execute_many, select_in
from lantern.people.models import Person, SourceRecord
from lantern.people.services import persons_create

from . import realtime
from .batch import link_features
from .exceptions import NoTrainedModel
from .features import RECORD_COLUMNS, record_features
from .identity import assign_persons
from .model import TrainedModel
from .models import ChangeKind, LinkageModel, LinkRun, PersonChange, ReviewPair, ReviewStatus

Progress = Callable[[str], None]


def _label(record: SourceRecord) -> str:
    return f"{record.agency.code}:{record.source_id}"


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": f"Give a reason of at least {MIN_REASON_LENGTH} characters"})
    return reason


def active_model() -> TrainedModel:
    row = LinkageModel.objects.filter(active=True).first()
    if row is None:
        raise NoTrainedModel("no linkage model has been trained yet: run `lantern link`")
    return TrainedModel.from_dict(row.parameters)


@transaction.atomic
def model_save(*, model: TrainedModel, records: int, actor: Any = None) -> LinkageModel:
    """Keep a trained model and make it the active one."""
    LinkageModel.objects.filter(active=True).update(active=False)
    row, _ = LinkageModel.objects.update_or_create(
        version=model.version,
        defaults={"trained_at": datetime.fromisoformat(model.trained_at), "seed": model.seed, "records": records,
                  "parameters": model.as_dict(), "active": True},
    )
    audit_write(actor=actor, verb=AuditVerb.LINK_TRAIN, target=row,
                payload={"version": row.version, "records": records, "seed": model.seed})
    return row


def _all_rows() -> tuple[list[dict[str, Any]], dict[int, int | None]]:
    rows, current = [], {}
    # In id order, so the seeded training sample is the same on SQLite and PostgreSQL (which
    # otherwise return rows in whatever order their plans give).
    records = SourceRecord.objects.order_by("pk").values_list(*RECORD_COLUMNS, "person_id")
    for values in records.iterator(chunk_size=20_000):
        row = dict(zip(RECORD_COLUMNS, values[:-1], strict=True))
        rows.append(record_features(row))
        current[row["id"]] = values[-1]
    return rows, current


INDEX_CHUNK = 20_000


def index_rebuild(*, progress: Callable[[int], None] = lambda done: None) -> int:
    """Rebuild the real-time index (blocking keys and search terms) of every record; return how many.

    For a database whose records went in before the index had some of its terms (after an
    upgrade), or to repair it; linking and search read it as soon as the transaction ends.
    """
    done = 0
    with transaction.atomic(), realtime.rebuilding_index():
        rows = SourceRecord.objects.values_list(*RECORD_COLUMNS).iterator(chunk_size=INDEX_CHUNK)
        while chunk := list(islice(rows, INDEX_CHUNK)):
            features = [record_features(dict(zip(RECORD_COLUMNS, values, strict=True))) for values in chunk]
            realtime.index_records([(f["unique_id"], f) for f in features])
            done += len(chunk)
            progress(done)
    refresh_planner_statistics()
    return done


def _decisions() -> dict[tuple[int, int], bool]:
    return {(low, high): status == ReviewStatus.SAME for low, high, status in ReviewPair.objects.exclude(
        status=ReviewStatus.PENDING).values_list("record_low", "record_high", "status")}


def link_all(*, actor: Any = None, retrain: bool = False, seed: int = 1, backend: str = "duckdb",
             progress: Progress = lambda step: None) -> LinkRun:
    """Link every record into persons, keeping each person's reference where its cluster survives.

    Trains a model first if there is none (or if asked to retrain). Reviewers' decisions win
    over the model. The real-time index is rebuilt to match.
    """
    progress("Reading records")
    rows, current = _all_rows()
    model = None if retrain or not LinkageModel.objects.filter(active=True).exists() else active_model()
    progress("Training the model and scoring pairs" if model is None else "Scoring pairs")
    result = link_features(rows, model=model, seed=seed, backend=backend, decisions=_decisions(),
                           match_probability=realtime.match_probability(), review_floor=realtime.review_floor())
    progress("Saving persons")
    with transaction.atomic():
        model_row = (model_save(model=result.model, records=len(rows), actor=actor) if model is None
                     else LinkageModel.objects.get(active=True))
        run = LinkRun.objects.create(started_at=timezone.now(), model=model_row, backend=backend,
                                     records=len(rows), actor=actor)
        counts = _apply_clusters(result.clusters, current, run=run, actor=actor)
        scorer = result.model.scorer()
        features = {row["unique_id"]: row for row in rows}
        counts["review_pairs_raised"] = realtime.raise_reviews(
            ((left, right, scorer.score(features[left], features[right])) for left, right, _, _ in result.uncertain),
            model_version=model_row.version, now=run.started_at,
        )
        progress("Rebuilding the real-time index")
        with realtime.rebuilding_index():
            realtime.index_records([(row["unique_id"], row) for row in rows])
        run.persons = len(set(result.clusters.values()))
        run.counts = {**counts, "pairs_scored": result.pairs_scored,
                      "seconds": {k: round(v, 1) for k, v in result.seconds.items()}}
        run.finished_at = timezone.now()
        run.save()
        audit_write(actor=actor, verb=AuditVerb.LINK_RUN, target=run,
                    payload={"model": model_row.version, "records": len(rows), **counts})
    refresh_planner_statistics()
    return run


def _move_records(moves: dict[int, list[int]]) -> None:
    """Point records at their new persons (person -> record ids)."""
    execute_many("UPDATE people_sourcerecord SET person_id = %s WHERE id = %s",
                 [(person, record) for person, records in moves.items() for record in records])


def _apply_clusters(clusters: dict[int, int], current: dict[int, int | None], *, run: LinkRun,
                    actor: Any) -> dict[str, int]:
    assignment = assign_persons(clusters, current)
    now = run.started_at
    missing = [c for c, p in assignment.person_for_cluster.items() if p is None]
    for cluster, person in zip(missing, persons_create(len(missing), now=now), strict=True):
        assignment.person_for_cluster[cluster] = person.pk
    person_of = assignment.person_for_cluster
    moves: dict[int, list[int]] = defaultdict(list)
    changes: list[PersonChange] = []
    left: dict[tuple[int, int], list[int]] = defaultdict(list)
    for record, cluster in assignment.moves.items():
        target = person_of[cluster]
        assert target is not None
        moves[target].append(record)
        if current.get(record) is not None:
            left[(current[record], target)].append(record)  # type: ignore[index]
    _move_records(moves)
    # In slices: a first link of a million records moves more records than SQLite takes parameters.
    labels = {pk: f"{agency}:{source_id}" for pk, agency, source_id in select_in(
        "SELECT r.id, a.code, r.source_id FROM people_sourcerecord r JOIN organisations_agency a "
        "ON a.id = r.agency_id WHERE r.id IN (%s)", list(assignment.moves))}
    for (source, target), records in left.items():
        kind = ChangeKind.MERGED if source in assignment.merged else ChangeKind.SPLIT
        changes.append(PersonChange(person_id=source, kind=kind, other_id=target, at=now, run=run, actor=actor,
                                    records=[labels[r] for r in records]))
        changes.append(PersonChange(person_id=target, kind=ChangeKind.GREW, other_id=source, at=now, run=run,
                                    actor=actor, records=[labels[r] for r in records]))
    execute_many("UPDATE people_person SET merged_into_id = %s WHERE id = %s",
                 [(person_of[cluster], person) for person, cluster in assignment.merged.items()])
    PersonChange.objects.bulk_create(changes, batch_size=2000)
    grown = {target for (_, target) in left}
    return {
        "persons_kept": sum(1 for c, p in person_of.items() if p not in grown and c not in missing),
        "persons_created": len(missing),
        "persons_grown": len(grown - set(person_of[c] for c in missing)),
        "persons_merged": len(assignment.merged),
        "persons_split": sum(1 for (source, _) in left if source not in assignment.merged),
        "records_moved": len(assignment.moves),
    }


# Real time ---------------------------------------------------------------------------------

def link_record(record: SourceRecord, *, actor: Any = None) -> Person:
    """Link a new or changed record as it arrives, index it, and return its person.

    A new record (saved, with no person yet) joins the person it matches, or becomes a new
    person. A changed record alone in its person moves to the person it now matches; one
    that shares its person with other records stays, and the new match goes to review.
    """
    features = record_features(realtime.record_row(record))
    realtime.index_records([(record.pk, features)], replace=True)
    active = realtime.active_scorer()
    matched, outcome, version = None, realtime.Outcome(None), ""
    if active is not None:
        version, scorer = active
        candidates = [c for group in realtime.find_candidates([features]).values() for c in group]
        rejected = realtime.rejected_partners([record.pk]).get(record.pk, set())
        outcome = realtime.decide(features, candidates, scorer, rejected)
        matched = Person.objects.get(pk=outcome.person_id) if outcome.person_id else None
    if record.person_id is None:
        from lantern.people.services import person_create

        record.person = matched or person_create(actor=actor)
        record.save(update_fields=["person"])
    elif matched is not None and matched.pk != record.person_id:
        if not SourceRecord.objects.filter(person_id=record.person_id).exclude(pk=record.pk).exists():
            assert record.person is not None
            person_merge(source=record.person, target=matched, actor=actor,
                         reason="Linked automatically when the record changed")
            record.person = matched
        else:
            best = next(c for c in candidates if c.person_id == matched.pk)
            outcome.review.append((best.record_id, outcome.score))  # type: ignore[arg-type]
    if outcome.review:
        realtime.raise_reviews(((record.pk, other, score) for other, score in outcome.review),
                               model_version=version, now=timezone.now())
    assert record.person is not None
    if outcome.score is not None:
        audit_write(actor=actor, verb=AuditVerb.LINK_RECORD, target=record,
                    payload={"person": record.person.reference, "model": version,
                             "match_probability": round(outcome.score.match_probability, 4)})
    return record.person


# Human decisions ---------------------------------------------------------------------------

@transaction.atomic
def person_merge(*, source: Person, target: Person, reason: str, actor: Any = None) -> Person:
    """Move every record of `source` to `target`; `source`'s reference then resolves to `target`."""
    reason = _require_reason(reason)
    if source.pk == target.pk:
        raise ValidationError("A person cannot be merged into themselves")
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError("That person has already been merged into another")
    records = list(SourceRecord.objects.filter(person=source).select_related("agency"))
    SourceRecord.objects.filter(person=source).update(person=target)
    Person.objects.filter(pk=source.pk).update(merged_into=target)
    source.merged_into = target
    now = timezone.now()
    labels = [_label(r) for r in records]
    PersonChange.objects.bulk_create([
        PersonChange(person=source, kind=ChangeKind.MERGED, other=target, records=labels, at=now, actor=actor,
                     reason=reason),
        PersonChange(person=target, kind=ChangeKind.GREW, other=source, records=labels, at=now, actor=actor,
                     reason=reason),
    ])
    # Remember the decision so that later batch runs keep the two together.
    kept = SourceRecord.objects.filter(person=target).exclude(pk__in=[r.pk for r in records]).first()
    if records and kept:
        _decide_pair(records[0].pk, kept.pk, same=True, actor=actor, reason=reason, now=now)
    audit_write(actor=actor, verb=AuditVerb.PERSON_MERGE, target=target, reason=reason,
                payload={"merged": source.reference, "into": target.reference, "records": labels})
    return target


@transaction.atomic
def person_split(*, person: Person, records: Iterable[SourceRecord], reason: str, actor: Any = None) -> Person:
    """Move the given records of a person to a new person, and keep them apart on later runs."""
    reason = _require_reason(reason)
    moving = list(records)
    staying = list(SourceRecord.objects.filter(person=person).exclude(pk__in=[r.pk for r in moving]))
    if not moving or any(r.person_id != person.pk for r in moving):
        raise ValidationError({"records": "Choose records that belong to this person"})
    if not staying:
        raise ValidationError({"records": "Leave at least one record with this person"})
    now = timezone.now()
    new_person = persons_create(1, now=now)[0]
    SourceRecord.objects.filter(pk__in=[r.pk for r in moving]).update(person=new_person)
    labels = [_label(r) for r in moving]
    PersonChange.objects.bulk_create([
        PersonChange(person=person, kind=ChangeKind.SPLIT, other=new_person, records=labels, at=now, actor=actor,
                     reason=reason),
        PersonChange(person=new_person, kind=ChangeKind.CREATED, other=person, records=labels, at=now,
                     actor=actor, reason=reason),
    ])
    for moved in moving:
        for stayed in staying:
            _decide_pair(moved.pk, stayed.pk, same=False, actor=actor, reason=reason, now=now)
    audit_write(actor=actor, verb=AuditVerb.PERSON_SPLIT, target=person, reason=reason,
                payload={"from": person.reference, "to": new_person.reference, "records": labels})
    return new_person


def _decide_pair(a: int, b: int, *, same: bool, actor: Any, reason: str, now: datetime) -> None:
    low, high = sorted((a, b))
    status = ReviewStatus.SAME if same else ReviewStatus.DIFFERENT
    pair, created = ReviewPair.objects.get_or_create(
        record_low_id=low, record_high_id=high,
        defaults={"match_weight": 0.0, "match_probability": 0.0, "raised_at": now, "raised_by": actor,
                  "raised_because": reason, "status": status, "decided_by": actor, "decided_at": now,
                  "reason": reason},
    )
    if not created:
        pair.status, pair.decided_by, pair.decided_at, pair.reason = status, actor, now, reason
        pair.save(update_fields=["status", "decided_by", "decided_at", "reason"])


@transaction.atomic
def review_decide(*, pair: ReviewPair, same: bool, reason: str, actor: Any) -> ReviewPair:
    """Record a reviewer's decision on a pair and act on it: join the two persons, or part them."""
    reason = _require_reason(reason)
    pair = ReviewPair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != ReviewStatus.PENDING:
        who = pair.decided_by.get_username() if pair.decided_by else "someone"
        raise ValidationError(f"{who} already decided this pair on {pair.decided_at:%d %B %Y at %H:%M}")
    low = SourceRecord.objects.select_related("person", "agency").get(pk=pair.record_low_id)
    high = SourceRecord.objects.select_related("person", "agency").get(pk=pair.record_high_id)
    _decide_pair(low.pk, high.pk, same=same, actor=actor, reason=reason, now=timezone.now())
    assert low.person is not None and high.person is not None  # linked records always have a person
    if same and low.person_id != high.person_id:
        # The person holding fewer records joins the other; ties keep the older reference.
        sizes = {p.pk: SourceRecord.objects.filter(person=p).count() for p in (low.person, high.person)}
        keep, fold = sorted((low.person, high.person), key=lambda p: (-sizes[p.pk], p.pk))
        person_merge(source=fold, target=keep, reason=reason, actor=actor)
    elif not same and low.person_id == high.person_id:
        person_split(person=high.person, records=[high], reason=reason, actor=actor)
    audit_write(actor=actor, verb=AuditVerb.LINK_REVIEW, target=pair, reason=reason,
                payload={"records": [_label(low), _label(high)], "same": same})
    pair.refresh_from_db()
    return pair


@transaction.atomic
def review_request(*, record: SourceRecord, other: SourceRecord, because: str, actor: Any) -> ReviewPair:
    """Queue two records for review because someone doubts they are the same person."""
    because = _require_reason(because)
    active = realtime.active_scorer()
    if active is None:
        raise NoTrainedModel("no linkage model has been trained yet: run `lantern link`")
    version, scorer = active
    score = scorer.score(record_features(realtime.record_row(record)), record_features(realtime.record_row(other)))
    low, high = sorted((record.pk, other.pk))
    pair, _ = ReviewPair.objects.get_or_create(
        record_low_id=low, record_high_id=high,
        defaults={"match_weight": score.match_weight, "match_probability": score.match_probability,
                  "fields": realtime.fields_json(score), "model_version": version, "raised_at": timezone.now(),
                  "raised_by": actor, "raised_because": because},
    )
    audit_write(actor=actor, verb=AuditVerb.LINK_REVIEW, target=pair, reason=because,
                payload={"requested": True, "records": [_label(record), _label(other)]})
    return pair
