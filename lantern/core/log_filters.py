"""Filters for the log: keep what people need to see, and no more."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Log a refused request (403, 404) in one line, without Django's traceback.

    A refusal is Lantern working as meant; its traceback would bury the real errors in the log.
    The line itself stays, with the status and address, for whoever watches for probing.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
        return True
