"""Pausing Python's cycle collector around bulk work."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause the cycle collector while code makes millions of short-lived, acyclic objects.

    Reference counting still frees each object as soon as it is dropped; the collector would
    only walk every live object again and again as they are made. In the importer it cost
    more than the work itself: receiving a parsed person line took 20 µs with it and 5 µs
    without (bench notes in docs/benchmarks.md). Long loops call `collect_young()` now and
    then, so any cycles they do make are still freed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collect_young() -> None:
    """Free cycles among objects made since the last collection (not the whole heap)."""
    gc.collect(1)
