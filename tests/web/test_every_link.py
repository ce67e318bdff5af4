"""Every page a demo user can reach by following links answers without a server error, a
broken link or a link their role is refused: a walk over the app with the demo data, for
each role."""

import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

from lantern.accounts.models import User
from lantern.core.access import scope_for
from lantern.demo.data import DEMO_USERS, load_demo_data
from lantern.people.models import SourceRecord

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#][^"]*)"')
PERSON_REFERENCE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}(\?|$)")
NOT_PAGES = ("/static/", "/api/")
# Enough to reach every kind of page (lists, a person, an investigation, a task, the
# review queue, the feeds pages) without walking every person of the demo data.
PAGES_A_ROLE = 120
PAGES_A_KIND = 3


def kind_of(link: str) -> str:
    """A page's kind: its path with ids and references (any part holding a digit) taken out,
    so the walk visits a few people's pages rather than all of them."""
    return "/".join("#" if any(c.isdigit() for c in part) or PERSON_REFERENCE.match(part) else part
                    for part in link.split("/"))


def links(page: str, html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = urldefrag(urljoin(page, href.replace("&amp;", "&")))[0]
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver") and parts.path.startswith("/") \
                and not parts.path.startswith(NOT_PAGES):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.mark.parametrize("username", [user[0] for user in DEMO_USERS])
def test_every_page_a_role_can_reach_answers(username, client: Client):
    load_demo_data()
    user = User.objects.get(username=username)
    client.force_login(user)
    # Where forms lead: a person found by reference, for roles that see people (all the
    # scrutiny panel's home page offers), and a search by name for those who may search so.
    leah = SourceRecord.objects.get(source_id="CRIS-P-100231").person.reference
    scope, starts = scope_for(user), ["/"]
    if scope.sees_case_data:
        starts.append(f"/people/find?reference={leah}")
    if scope.sees_case_data and not scope.pseudonymised:
        starts.append("/people/search?name=Morgan")
    seen, kinds, queue = set(starts), {}, deque(starts)
    problems, visited = [], 0
    while queue and visited < PAGES_A_ROLE:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code >= 500 or response.status_code in (403, 404):
            problems.append(f"{path}: {response.status_code}")
            continue
        if response.status_code in (301, 302, 303):
            found = links(path, f'href="{response["Location"]}"')
        elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found = links(path, response.content.decode())
        else:
            continue
        for link in found:
            kind = kind_of(link)
            if link not in seen and kinds.get(kind, 0) < PAGES_A_KIND and "sign-out" not in link:
                seen.add(link)
                kinds[kind] = kinds.get(kind, 0) + 1
                queue.append(link)
    assert not problems, problems
    assert visited >= 3, f"{username} reached only {visited} pages"
