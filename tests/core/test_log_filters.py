"""A refused request is logged in one line; an error keeps its traceback."""

import logging
import sys

from lantern.core.log_filters import RefusalsWithoutTraceback


def record(status_code: int) -> logging.LogRecord:
    try:
        raise PermissionError("not yours")
    except PermissionError:
        made = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/feeds",),
                                 sys.exc_info())
    made.status_code = status_code
    return made


def test_a_refusal_is_logged_without_its_traceback():
    refused = record(403)
    assert RefusalsWithoutTraceback().filter(refused) and refused.exc_info is None
    assert logging.Formatter().format(refused) == "Forbidden: /feeds"


def test_an_error_keeps_its_traceback():
    failed = record(500)
    assert RefusalsWithoutTraceback().filter(failed) and failed.exc_info is not None
    assert "Traceback" in logging.Formatter().format(failed)
