"""Server time of the person page and of search on a large database, with a name-LIKE baseline.

Prepare the database once (the five-year London set takes a while to import), then measure:

    lantern generate --years 5 --scale 1.0 --boroughs all --seed 1 --out /tmp/london5
    LANTERN_DATA_DIR=/tmp/sv5 lantern import /tmp/london5 && LANTERN_DATA_DIR=/tmp/sv5 lantern link
    LANTERN_DATA_DIR=/tmp/sv5 python bench/single_view.py            # SQLite
    DATABASE_URL=postgres://... python bench/single_view.py           # PostgreSQL, imported the same way

Each request goes through Django's whole stack in this process (middleware, the access
checkpoint, its audit entries, the templates), as a MASH researcher of the person's borough,
so "server time" is everything but the network. People are sampled by how many events they
have, up to 500, with the busiest included. Searches are made from real records with one
typing mistake in the name, with a date of birth, an age or a postcode, or the name alone;
the baseline looks the misspelt names up with case-insensitive LIKE, as a simple system
would, in the same run.
"""

import argparse
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.local")
os.environ.setdefault("LANTERN_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from lantern.accounts.models import Role, User  # noqa: E402
from lantern.core.access import visible_records  # noqa: E402
from lantern.organisations.models import Agency, Borough  # noqa: E402
from lantern.people.ages import age_on  # noqa: E402
from lantern.people.models import SourceRecord  # noqa: E402

REASON = "Benchmark of the single view's server time"
RESULT_LINK = re.compile(r'<h3 class="govuk-heading-s[^"]*">\s*<a class="govuk-link" href="/people/([A-Z0-9-]+)"')
STRATA = ((1, 9), (10, 49), (50, 99), (100, 500))


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1] * 1000}


def line(label: str, stats: dict[str, float], extra: str = "") -> str:
    return (f"| {label} | {stats['n']:,} | {stats['p50']:.1f} | {stats['p95']:.1f} | {stats['p99']:.1f} | "
            f"{stats['max']:.1f} | {extra} |")


def researchers() -> dict[int, User]:
    """One MASH researcher per borough (the MASH sees every agency's records in its borough)."""
    met = Agency.objects.get(code="met")
    users = {}
    for borough in Borough.objects.all():
        user, _ = User.objects.get_or_create(username=f"bench-researcher-{borough.ons_code}",
                                             defaults={"role": Role.RESEARCHER, "agency": met, "borough": borough})
        users[borough.pk] = user
    return users


def events_per_person() -> dict[int, tuple[int, int]]:
    """Return person id -> (events, borough id of one of their records)."""
    sql = """
        SELECT r.person_id, COUNT(DISTINCT i.event_id), MIN(r.borough_id)
        FROM events_involvement i JOIN people_sourcerecord r ON r.id = i.source_record_id
        WHERE r.person_id IS NOT NULL AND r.borough_id IS NOT NULL
        GROUP BY r.person_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {person: (events, borough) for person, events, borough in cursor.fetchall()}


def sample_people(counts: dict[int, tuple[int, int]], per_stratum: int, rng: random.Random) -> list[int]:
    chosen: list[int] = []
    for low, high in STRATA:
        members = sorted(p for p, (n, _) in counts.items() if low <= n <= high)
        chosen += rng.sample(members, min(per_stratum, len(members)))
    busiest = sorted((p for p, (n, _) in counts.items() if n <= 500), key=lambda p: -counts[p][0])[:20]
    return list(dict.fromkeys(chosen + busiest))


def time_page(client: Client, url: str) -> tuple[float, int, bool]:
    """Return seconds, queries, and whether a reason was needed (restricted records)."""
    reset_queries()  # the query log keeps 9,000 entries; start each page afresh
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        asked = b"This person has restricted records" in response.content
        if asked:
            start = time.perf_counter()
            response = client.post(url, {"reason": REASON})
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries), asked


def misspell(word: str, rng: random.Random) -> str:
    """Make one typing mistake: a vowel changed, a letter dropped or doubled, or two letters swapped."""
    if len(word) < 4:
        return word
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("vowel", "drop", "double", "swap"))
    if kind == "vowel":
        vowels = [i for i, c in enumerate(word) if c.lower() in "aeiouy" and i > 0]
        if vowels:
            i = rng.choice(vowels)
            return word[:i] + rng.choice([v for v in "aeiouy" if v != word[i].lower()]) + word[i + 1:]
    if kind == "drop":
        return word[:position] + word[position + 1:]
    if kind == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + word[position + 1] + word[position] + word[position + 2:]


def search_cases(count: int, rng: random.Random) -> list[tuple[SourceRecord, dict[str, str]]]:
    top = SourceRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    cases = []
    today = timezone.localdate()
    while len(cases) < count:
        record = (SourceRecord.objects.filter(id__gte=rng.randint(1, top), restricted=False, person__isnull=False,
                                              borough__isnull=False).exclude(family_name="").exclude(given_names="")
                  .select_related("person").order_by("id").first())
        if record is None:
            continue
        given = record.given_names.split()[0]
        name = f"{misspell(given, rng) if rng.random() < 0.5 else given} {misspell(record.family_name, rng)}"
        kind = rng.choices(("dob", "name", "age", "postcode"), weights=(50, 20, 15, 15))[0]
        params = {"name": name}
        if kind == "dob" and record.dob_year and record.dob_month and record.dob_day:
            params["date_of_birth"] = f"{record.dob_day}/{record.dob_month}/{record.dob_year}"
        elif kind == "age" and record.dob_year:
            params["age"] = str(age_on(record.dob_year, record.dob_month, record.dob_day, today))
        elif kind == "postcode" and record.postcode:
            params["postcode"] = record.postcode
        cases.append((record, params))
    return cases


def like_baseline(user: User, params: dict[str, str]) -> list[int]:
    given, _, family = params["name"].partition(" ")
    found = visible_records(user).filter(given_names__icontains=given, family_name__icontains=family)
    return list(found.values_list("person_id", flat=True)[:25])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people-per-stratum", type=int, default=60)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    vendor = connection.vendor
    users = researchers()
    total_records = SourceRecord.objects.count()
    print(f"Database: {vendor}, {total_records:,} source records")

    started = time.perf_counter()
    counts = events_per_person()
    print(f"Counted events for {len(counts):,} people in {time.perf_counter() - started:.0f} s")
    people = sample_people(counts, options.people_per_stratum, rng)
    references = dict(
        SourceRecord.objects.filter(person_id__in=people).values_list("person_id", "person__reference"))
    client = Client()
    by_stratum: dict[str, list[float]] = defaultdict(list)
    all_pages: list[float] = []
    queries_seen: set[int] = set()
    asked = 0
    for person_id in people:
        events, borough_id = counts[person_id]
        client.force_login(users[borough_id])
        url = f"/people/{references[person_id]}"
        time_page(client, url)  # warm: the first view of a person fills caches a user would have warm too
        elapsed, queries, reason = time_page(client, url)
        asked += reason
        queries_seen.add(queries)
        all_pages.append(elapsed)
        stratum = next(f"{low}–{high}" for low, high in STRATA if low <= events <= high)
        by_stratum[stratum].append(elapsed)
    print("\nPerson page, server time (ms)")
    print("| people with events | n | p50 | p95 | p99 | max | |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for low, high in STRATA:
        label = f"{low}–{high}"
        if by_stratum[label]:
            print(line(label, percentiles(by_stratum[label])))
    print(line("all", percentiles(all_pages),
               f"queries per page: {min(queries_seen)}–{max(queries_seen)}; {asked} needed a reason"))
    print(f"busiest person measured: {max(counts[p][0] for p in people)} events")

    cases = search_cases(options.searches, rng)
    search_times, like_times = [], []
    first = found = like_found = 0
    for record, params in cases:
        user = users[record.borough_id]  # type: ignore[index]
        client.force_login(user)
        start = time.perf_counter()
        response = client.get("/people/search", params)
        search_times.append(time.perf_counter() - start)
        assert response.status_code == 200, params
        matches = RESULT_LINK.findall(response.content.decode())
        reference = record.person.reference  # type: ignore[union-attr]
        first += bool(matches) and matches[0] == reference
        found += reference in matches
        start = time.perf_counter()
        like = like_baseline(user, params)
        like_times.append(time.perf_counter() - start)
        like_found += record.person_id in like
    n = len(cases)
    print("\nSearch from a misspelt name, server time (ms)")
    print("| method | n | p50 | p95 | p99 | max | right person found |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(line("Lantern search (whole request)", percentiles(search_times),
               f"first {first / n:.1%}, in results {found / n:.1%}"))
    print(line("baseline: name LIKE '%…%' (query only)", percentiles(like_times), f"in results {like_found / n:.1%}"))


if __name__ == "__main__":
    main()
