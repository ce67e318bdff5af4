"""One base class for everything linkage refuses, so callers can catch it in one place."""


class LinkageError(Exception):
    """Linkage could not do what was asked; the message says why in plain words."""


class NoTrainedModel(LinkageError):
    """No linkage model has been trained yet: run `lantern link` first."""
