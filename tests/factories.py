"""factory_boy factories for the models tests build on."""

from datetime import UTC, datetime

import factory

from lantern.accounts.models import Role, User
from lantern.core.hashing import content_hash
from lantern.events.models import Event, Involvement
from lantern.organisations.models import Agency, AgencyKind, Borough
from lantern.people.models import Person, SourceRecord


def borough(ons_code: str = "E09000012") -> Borough:
    """Return a borough loaded by the reference-data migration (default Hackney)."""
    return Borough.objects.get(ons_code=ons_code)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.POLICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.RESEARCHER
    agency = factory.SubFactory(AgencyFactory)
    borough = factory.LazyFunction(borough)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person


class SourceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceRecord

    agency = factory.SubFactory(AgencyFactory)
    source_system = "TEST"
    source_id = factory.Sequence(lambda n: f"SRC-{n}")
    content_hash = factory.LazyAttribute(lambda o: content_hash({"id": o.source_id}))
    first_received_at = factory.LazyFunction(lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    received_at = factory.LazyFunction(lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    legal_basis = "dpa2018_sch8_para4"
    given_names = "Alex"
    family_name = "Smith"
    borough = factory.LazyFunction(borough)
    person = factory.SubFactory(PersonFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    agency = factory.SubFactory(AgencyFactory)
    source_system = "TEST"
    source_id = factory.Sequence(lambda n: f"EV-{n}")
    type = "school_concern"
    occurred_at = factory.LazyFunction(lambda: datetime(2026, 2, 1, 10, 0, tzinfo=UTC))
    received_at = factory.LazyFunction(lambda: datetime(2026, 2, 1, 11, 0, tzinfo=UTC))
    content_hash = factory.LazyAttribute(lambda o: content_hash({"id": o.source_id}))
    borough = factory.LazyFunction(borough)
    attributes = factory.LazyFunction(lambda: {"category": "attendance"})


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Involvement

    event = factory.SubFactory(EventFactory)
    source_record = factory.SubFactory(SourceRecordFactory)
    role = "subject"
