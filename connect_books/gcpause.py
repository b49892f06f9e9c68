"""Python's cyclic garbage collector, paused for a while, safely from several threads.

The books are hundreds of thousands of long-lived tuples. While they are loaded, or while
a report builds thousands of rows from them, each collection walks them again and frees
nothing. :func:`paused` turns the collector off for a block; blocks may overlap (Fava
makes pages from several threads): the collector is on again when the last one ends, if
it was on when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """The block runs with the cyclic garbage collector off."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def long_lived() -> None:
    """What exists now lives long (the books just loaded, an index, the reports made from
    them): the collector stops walking it (:func:`gc.freeze`) until :func:`gc.unfreeze`
    (the next load of the books). Without this, a server's full collections walk every
    row of every report made, for nothing, in the middle of some request."""
    gc.freeze()
