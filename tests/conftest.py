import pytest

from lantern.core.context import current_request_id


@pytest.fixture(autouse=True)
def _no_request_id_leaks():
    """Each test starts outside any request, so audit entries carry no stale request id."""
    token = current_request_id.set("")
    yield
    current_request_id.reset(token)
