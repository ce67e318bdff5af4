"""Recording a risk assessment: scored by the engine, saved once, audited."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.access import scope_for, visible_persons
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.people.models import Person

from . import engine
from .engine import AssessmentContext
from .models import Assessment


@transaction.atomic
def assessment_record(
    *, person: Person, instrument_code: str, answers: Mapping[str, Any], context: AssessmentContext, actor: Any,
    chosen_grade: str | None = None, rationale: str = "", contact_reference: str = "",
) -> Assessment:
    """Score answers with the latest live version of an instrument and record the assessment."""
    if scope_for(actor).pseudonymised or not visible_persons(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("You can assess only people whose records you can see")
    try:
        chosen = engine.instrument(instrument_code)
    except engine.UnknownInstrument as problem:
        raise ValidationError({"instrument": str(problem)}) from None
    # Score here, whatever the caller worked out: the engine alone decides grades and referrals.
    result = engine.score(chosen, answers, context, chosen_grade=chosen_grade or None, rationale=rationale)
    if not result.ok or result.grade is None:
        raise ValidationError(result.problems or {"grade": "No grade could be given"})
    assessment = Assessment.objects.create(
        person=person,
        contact_reference=contact_reference.strip(),
        instrument_code=chosen.code,
        instrument_version=chosen.version,
        instrument_digest=chosen.digest,
        answers={q.id: answers[q.id] for q in chosen.questions},
        context=context.as_dict(),
        score=result.score,
        section_scores=result.section_scores,
        grade=result.grade,
        referrals=[{"code": r.code, "label": r.label, "reason": r.reason} for r in result.referrals],
        explanations=result.explanations,
        rationale=rationale.strip(),
        assessor=actor,
        agency_id=actor.agency_id,
        assessed_at=timezone.now(),
    )
    audit_write(
        actor=actor, verb=AuditVerb.RISK_ASSESS, target=assessment,
        payload={"person": person.reference, "instrument": chosen.code, "version": chosen.version,
                 "score": result.score, "grade": result.grade,
                 "referrals": sorted({r.code for r in result.referrals}),
                 "contact": assessment.contact_reference},
    )
    return assessment
