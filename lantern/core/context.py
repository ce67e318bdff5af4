"""The current request's id, so the audit writer can record it without being handed it."""

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
