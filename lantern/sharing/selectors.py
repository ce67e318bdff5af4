"""What a user may see of requests to share records."""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from lantern.core.access import visible_records

from .models import ShareAnswer, ShareRequest


def requests_to_answer(user: Any) -> QuerySet[ShareRequest]:
    """Return the requests the user's agency has yet to answer: about people it holds records of
    that the user can see, from other agencies."""
    if getattr(user, "agency_id", None) is None:
        return ShareRequest.objects.none()
    holds = visible_records(user).filter(agency_id=user.agency_id, person_id=OuterRef("person_id"))
    answered = ShareAnswer.objects.filter(request=OuterRef("pk"), agency_id=user.agency_id)
    return (ShareRequest.objects.filter(Exists(holds)).exclude(agency_id=user.agency_id).exclude(Exists(answered))
            .select_related("person", "agency", "requested_by"))


def request_for_answer(user: Any, request_id: int) -> ShareRequest | None:
    """Return one request the user's agency may answer (None if it may not, or has)."""
    return requests_to_answer(user).filter(pk=request_id).first()
