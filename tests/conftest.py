from importlib import import_module

import pytest
from django.apps import apps

from lantern.core.context import current_request_id


@pytest.fixture(autouse=True)
def _no_request_id_leaks():
    """Each test starts outside any request, so audit entries carry no stale request id."""
    token = current_request_id.set("")
    yield
    current_request_id.reset(token)


@pytest.fixture
def london_boroughs(transactional_db: None) -> None:
    """Put back the London boroughs their migration loaded, for a transactional test.

    Every transactional test empties the database when it ends, boroughs included, so one
    that needs them loads them again. (Serialized rollback cannot serve the browser tests:
    once Playwright's sync API has started, Django's connection is a new object without the
    serialized copy.)
    """
    import_module("lantern.organisations.migrations.0002_london_boroughs").load_boroughs(apps, None)
