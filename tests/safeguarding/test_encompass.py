from lantern.safeguarding.models import Notification, NotificationStatus, RuleFiring
from lantern.safeguarding.selectors import why

from .conftest import ELSEWHERE, at

DA = {"police_reference": "DAR-1", "children_present": True, "children_present_where": "In the bedroom",
      "childs_voice": "I was scared", "dash_risk": "medium", "dash_yes_count": 11}


def _incident(world, *children, when="2025-06-10 20:00", attributes=None):  # type: ignore[no-untyped-def]
    mother = world.record("Sarah", "Morgan", "1985-02-01")
    father = world.record("Dean", "Price", "1984-09-01", sex="male")
    inv = [(mother, "victim"), (father, "suspect")] + [(c, "child_present") for c in children]
    return world.event("domestic_abuse_incident", when, inv, attributes or DA)


def test_a_school_age_child_at_the_incident_means_her_school_is_told(world):
    leah = world.record("Leah", "Morgan", "2014-04-17")
    world.record("Leah", "Morgan", "2014-04-17", agency=world.school, same_as=leah)
    event = _incident(world, leah)
    report = world.run(event)
    assert report.fired["operation_encompass"] == 1
    note = Notification.objects.get(kind="operation_encompass")
    assert note.recipient_agency == world.school
    assert note.recipient_role == "Designated safeguarding lead"
    assert note.status == NotificationStatus.SENT and note.sent_at is not None
    labels = [label for label, _ in note.content]
    assert labels == ["Child's name", "Date of birth", "Police reference", "When", "Where", "Was the child present",
                      "Where the child was", "The child's voice", "Circumstances"]
    content = dict(note.content)
    assert content["Child's name"] == "Leah Morgan"
    assert content["Date of birth"] == "2014-04-17"
    assert content["Police reference"] == "DAR-1"
    assert content["The child's voice"] == "I was scared"
    assert content["Was the child present"] == "Yes"
    # Tuesday 10 June 2025, 21:00 in London: due before school starts on Wednesday.
    assert note.due_at == at("2025-06-11 07:30")
    explained = why(note)
    assert "Leah Morgan" in explained.explanation and "school age" in explained.explanation
    assert explained.rule_name == "Operation Encompass" and "Victims and Prisoners Act 2024" in explained.policy


def test_friday_night_incident_is_due_monday_and_half_term_is_skipped(world):
    leah = world.record("Leah", "Morgan", "2014-04-17")
    world.run(_incident(world, leah, when="2025-06-13 20:00"))
    assert Notification.objects.get().due_at == at("2025-06-16 07:30")  # Monday, 08:30 BST
    Notification.objects.all().delete()
    RuleFiring.objects.all().delete()
    # Friday 23 May 2025, before the half-term week: due on Monday 2 June.
    world.run(_incident(world, leah, when="2025-05-23 20:00"))
    assert Notification.objects.get().due_at == at("2025-06-02 07:30")


def test_a_child_not_known_to_a_school_means_the_local_authority_is_told(world):
    kayden = world.record("Kayden", "Morgan", "2010-01-30", sex="male")
    world.run(_incident(world, kayden))
    note = Notification.objects.get()
    assert note.recipient_agency == world.csc
    assert note.recipient_role.startswith("Local authority")


def test_a_child_in_the_household_but_not_present_is_still_included(world):
    world.record("Ruby", "Morgan", "2012-03-03", agency=world.csc)  # lives at the victim's address
    world.record("Ann", "Other", "2012-03-03", address=ELSEWHERE)  # lives elsewhere: not linked
    world.run(_incident(world))
    note = Notification.objects.get()
    assert dict(note.content)["Child's name"] == "Ruby Morgan"
    assert dict(note.content)["Was the child present"] == "No"


def test_age_17_is_included_and_18_is_not(world):
    seventeen = world.record("Jay", "Morgan", "2007-06-11", sex="male")  # 17 until the day after
    eighteen = world.record("Kim", "Morgan", "2007-06-10")  # 18 on the day
    world.run(_incident(world, seventeen, eighteen))
    assert [dict(n.content)["Child's name"] for n in Notification.objects.all()] == ["Jay Morgan"]


def test_reception_age_starts_in_the_september_after_the_fourth_birthday(world):
    in_reception = world.record("Amy", "Morgan", "2021-08-31")  # started reception September 2025
    nursery = world.record("Bea", "Morgan", "2021-09-01")  # starts reception September 2026
    world.run(_incident(world, in_reception, nursery, when="2025-10-01 20:00"))
    assert [dict(n.content)["Child's name"] for n in Notification.objects.all()] == ["Amy Morgan"]


def test_the_same_incident_sent_again_or_changed_fires_once(world):
    leah = world.record("Leah", "Morgan", "2014-04-17")
    event = _incident(world, leah)
    world.run(event)
    world.run(event)
    changed = world.event("domestic_abuse_incident", "2025-06-10 20:00",
                          [(r.source_record, r.role) for r in event.involvements.all()],
                          {**DA, "childs_voice": "Changed"}, source_id=event.source_id)
    assert changed.pk == event.pk and changed.version == 2
    report = world.run(changed)
    assert report.fired["operation_encompass"] == 0
    assert Notification.objects.count() == 1
