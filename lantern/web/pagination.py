"""Links between the pages of a long list, in the GOV.UK pagination pattern
(templates/govuk/pagination.html)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page


@dataclass
class PageLink:
    number: int | None  # None for the ellipsis between distant pages
    url: str = ""
    current: bool = False


def pagination(page: Page[Any], query: dict[str, str]) -> dict[str, Any]:
    """Return what the pagination partial shows: the page links and the previous and next
    addresses, each keeping the list's own `query` (its filters)."""

    def url(number: int) -> str:
        return "?" + urlencode({**query, "page": number})

    links = []
    if page.paginator.num_pages > 1:
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
            links.append(PageLink(number, url(number), current=number == page.number) if isinstance(number, int)
                         else PageLink(None))
    return {
        "page_links": links,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }
