"""People: each agency's record of a person, the resolved person, and where they live.

A `SourceRecord` is what one agency holds; a `Person` is the individual those records are
believed to describe (linkage decides which records belong together). A changed record
keeps its identity and gains a `SourceRecordVersion`, so earlier versions are never lost.
"""

from django.db import models
from django.db.models import Q

from lantern.core.constraints import one_of
from lantern.core.models import KeptVersion
from lantern.core.references import new_reference
from lantern.organisations.models import Agency, Borough
from lantern.sharing.models import LegalBasis

from .validators import validate_nhs_number, validate_postcode, validate_school_urn, validate_uprn


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Not known"


class Address(models.Model):
    """A place people live, matched on UPRN where the feed gives one."""

    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    uprn = models.CharField(max_length=12, blank=True, validators=[validate_uprn])
    borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="addresses"
    )
    match_key = models.CharField(
        max_length=260,
        help_text="How records find this address: its UPRN, else its first line (any case) and postcode",
    )

    class Meta:
        verbose_name_plural = "addresses"
        # Unique by constraint, not unique=True: for that, Django also gives PostgreSQL a second
        # index for LIKE searches, which nothing makes here and every import keeps up to date.
        constraints = [
            models.UniqueConstraint(fields=["match_key"], name="address_match_key_unique"),
            models.UniqueConstraint(fields=["uprn"], condition=~Q(uprn=""), name="address_uprn_unique"),
        ]
        indexes = [models.Index(fields=["postcode"])]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.line1, self.line2, self.town, self.postcode) if part)


class Person(models.Model):
    """A resolved individual: the cluster of source records believed to describe one person."""

    reference = models.CharField(
        max_length=9, default=new_reference, editable=False,
        help_text="Stable, phone-friendly reference; kept when the cluster is re-linked",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from",
        help_text="Set when this person was merged into another; the reference still resolves",
    )

    class Meta:
        verbose_name_plural = "people"
        # A constraint rather than unique=True, which gives PostgreSQL a LIKE index as well
        # (see Address).
        constraints = [models.UniqueConstraint(fields=["reference"], name="person_reference_unique")]

    def __str__(self) -> str:
        return self.reference


class Household(models.Model):
    """People living together at an address, over a period."""

    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="households")
    members: "models.ManyToManyField[Person, HouseholdMember]" = models.ManyToManyField(
        Person, through="HouseholdMember", related_name="households"
    )

    def __str__(self) -> str:
        return f"Household at {self.address}"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.PROTECT)
    relationship = models.CharField(
        max_length=40, blank=True, help_text="For example: mother, stepfather, sibling, lodger"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="household_member_once"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="household_member_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.household}"


class SourceRecord(models.Model):
    """One agency's current record of a person, with its provenance."""

    # No separate index on agency or borough: the unique (agency, source_id) and the
    # (borough, agency) indexes serve those look-ups, and every index slows bulk intake.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_records", db_index=False)
    source_system = models.CharField(max_length=100, help_text="For example: CRIS, Mosaic, SIMS")
    source_id = models.CharField(max_length=100, help_text="The record's id in its own system")
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the record's fields")
    first_received_at = models.DateTimeField()
    received_at = models.DateTimeField(help_text="When the current version arrived")
    legal_basis = models.CharField(max_length=40, choices=LegalBasis.choices)
    restricted = models.BooleanField(
        default=False, help_text="Opens only after the user states a reason"
    )

    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, as a list")
    # Dates of birth are often partial: a year, or a year and month, or unknown.
    dob_year = models.PositiveSmallIntegerField(null=True, blank=True)
    dob_month = models.PositiveSmallIntegerField(null=True, blank=True)
    dob_day = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    address_town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    uprn = models.CharField(max_length=12, blank=True, validators=[validate_uprn])
    nhs_number = models.CharField(max_length=10, blank=True, validators=[validate_nhs_number])
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    school_urn = models.CharField(max_length=6, blank=True, validators=[validate_school_urn])

    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="source_records"
    )
    borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="source_records",
        help_text="The borough the record belongs to, from its address; scopes who may see it",
        db_index=False,
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="source_records"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "source_id"], name="source_record_unique_per_agency"),
            models.CheckConstraint(
                condition=Q(dob_month__isnull=True) | Q(dob_year__isnull=False),
                name="dob_month_needs_year",
            ),
            models.CheckConstraint(
                condition=Q(dob_day__isnull=True) | Q(dob_month__isnull=False),
                name="dob_day_needs_month",
            ),
            models.CheckConstraint(
                condition=Q(dob_year__isnull=True) | Q(dob_year__gte=1880, dob_year__lte=2200),
                name="dob_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(dob_month__isnull=True) | Q(dob_month__gte=1, dob_month__lte=12),
                name="dob_month_in_range",
            ),
            models.CheckConstraint(
                condition=Q(dob_day__isnull=True) | Q(dob_day__gte=1, dob_day__lte=31),
                name="dob_day_in_range",
            ),
            models.CheckConstraint(
                condition=Q(nhs_number="") | Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="nhs_number_ten_digits",
            ),
            models.CheckConstraint(condition=~Q(source_id=""), name="source_id_not_blank"),
            models.CheckConstraint(condition=one_of("sex", Sex.values), name="source_record_sex_known"),
            models.CheckConstraint(
                condition=one_of("legal_basis", LegalBasis.values), name="source_record_legal_basis_known"
            ),
        ]
        # Linkage and search keep their own indexes (LinkKey, SearchTerm); these serve the
        # access checkpoint and finding a record by any agency's reference.
        indexes = [models.Index(fields=["borough", "agency"]), models.Index(fields=["source_id"])]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.source_id}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_name) if part)

    @property
    def date_of_birth(self) -> str:
        """Return the date of birth as YYYY-MM-DD, YYYY-MM, YYYY, or '' if unknown."""
        parts = [f"{self.dob_year:04d}" if self.dob_year else ""]
        if self.dob_month:
            parts.append(f"{self.dob_month:02d}")
        if self.dob_day:
            parts.append(f"{self.dob_day:02d}")
        return "-".join(parts) if self.dob_year else ""


class SourceRecordVersion(KeptVersion):
    """An earlier version of a source record, kept when a newer one replaced it.

    The current version is the SourceRecord row itself; this table holds the ones before it.
    """

    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="versions")

    class Meta:
        ordering = ["record", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="source_record_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.record} v{self.version}"


class SearchTerm(models.Model):
    """One search term of one record: the sound of a name, a nickname group, a date of birth, a postcode.

    Terms are hashed to 64-bit integers (`lantern.people.search` makes them) so the index stays small.
    The rows are keyed by (record, term), with no id of their own: a record's terms are found
    (and replaced, by `index_records`) through the key, and a bulk load, which writes records
    in the order of their ids, only ever adds to its end. On SQLite the table is stored in
    that key's order (WITHOUT ROWID, made by migration 0007). The look-up index is a plain one,
    so a bulk load can drop it and build it once at the end (`lantern.core.db.indexes_deferred`).
    """

    pk = models.CompositePrimaryKey("record_id", "term")
    # No foreign key in the database: the rows are made from their record, in the same
    # transaction, and deleted with it (Django's cascade). PostgreSQL checked each of the
    # millions a bulk load writes at commit, a fifth of the load's time (docs/benchmarks.md).
    # The key, which starts with it, is its index.
    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="search_terms", db_index=False,
                               db_constraint=False)
    term = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["term", "record"], name="search_term_lookup")]

    def __str__(self) -> str:
        return f"{self.term} of record {self.record_id}"
