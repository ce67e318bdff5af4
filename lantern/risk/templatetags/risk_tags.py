"""The person page's risk assessments, drawn without anything new from the person view."""

from typing import Any

from django import template

from lantern.risk.selectors import assessments_of, instrument_of

register = template.Library()
SHOWN = 10


@register.inclusion_tag("risk/_person_assessments.html", takes_context=True)
def person_assessments(context: template.Context) -> dict[str, Any]:
    """List the newest assessments of the page's person that the user may read, and the way to add one."""
    access, user = context["access"], context["user"]
    rows = []
    for assessment in assessments_of(user, access.person)[:SHOWN]:
        used = instrument_of(assessment)
        rows.append({
            "pk": assessment.pk,
            "label": used.name if used else assessment.instrument_code,
            "grade_label": used.grade_label(assessment.grade) if used else assessment.grade,
            "referrals": [r["label"] for r in assessment.referrals],
            "assessed_at": assessment.assessed_at,
        })
    return {"assessments": rows, "reference": access.person.reference, "may_assess": not access.pseudonymised}
