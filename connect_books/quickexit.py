"""Ending a command's process without freeing, one by one, what the command built.

When a Python program ends, every object it still holds is freed one at a time, and so
is everything a function held when it returns. Loaded books are hundreds of thousands of
small objects (directives, postings, amounts, metadata), a pack's workbook a million
cells: freeing them took a fifth of a ``check`` of 10,000 transactions and 1.3 s of one
of 100,000, after the command had printed its last line. The operating system takes the
whole memory back at once.

So the ``connect-books`` program (:func:`run`, its entry point) holds what the commands
build (:func:`hold`: the books as loaded, a pack's workbook) until the command is done,
then flushes its output and ends the process with :func:`os._exit`, with the command's
exit status. Nothing else is skipped: every command closes its files, releases its locks
and finishes its writes (atomically, :mod:`connect_books.atomic`) before it returns, and
the cache is written by a detached process of its own (:func:`connect_books.cache.flush`).

Python's cyclic garbage collector stays off for the whole program (the command group
turns it off for each command anyway): objects made while it is off all wait in its
youngest generation, so turning it back on when a command is done made the next
allocation walk every object of the loaded books once more (0.22 s at 100,000
transactions) just before the process ended.

Outside :func:`run` (tests calling the command group, a library, Fava in a server)
:func:`hold` keeps nothing, and ``serve``, which runs until stopped and cleans up at exit
(uploaded vouchers never confirmed), ends the usual way with the collector on
(:func:`release`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

#: What the commands built, kept until the process ends; None: keep nothing.
_held: list[Any] | None = None
#: Whether the collector was on when :func:`run` turned it off.
_collecting = False


def hold(thing: Any) -> None:
    """Keep ``thing`` until the process ends (only within :func:`run`)."""
    if _held is not None:
        _held.append(thing)


def release() -> None:
    """Keep nothing from now on, and let the process end the usual way (``serve``)."""
    global _held
    _held = None
    if _collecting:
        gc.enable()


def run(main: Callable[[], Any]) -> NoReturn:
    """Run ``main`` (the command group), then end the process at once with its status.

    A ``SystemExit`` gives the status as Python would (None 0, a number that number,
    anything else printed and 1); any other exception ends the process the usual way,
    with its traceback.
    """
    global _held, _collecting
    _held = []
    _collecting = gc.isenabled()
    gc.disable()
    code = 0
    try:
        main()
    except SystemExit as done:
        if done.code is None:
            code = 0
        elif isinstance(done.code, int):
            code = done.code
        else:
            print(done.code, file=sys.stderr)
            code = 1
    if _held is None:  # (released: a server ends as Python ends it)
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``): as Python says it
            code = code or 120
    os._exit(code)
