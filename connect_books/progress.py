"""What a long command is doing, shown on a terminal (and nowhere else).

A command runs as one :func:`operation` (the command group opens it); the library marks
its steps with :func:`phase`. When the operation has taken more than :data:`DELAY`
seconds and standard error is a terminal, one short line says what it is doing, and each
later step adds its own line::

    … 運営委員会資料: 帳簿を読んでいます (2秒)
    … 運営委員会資料: 記帳しています (4秒)
    … 運営委員会資料: 資料を作っています (9秒)

Whole lines only, on standard error: nothing is rewritten in place, so the command's own
output on standard output is never garbled. Scripts, pipes and CI (no terminal) get
nothing, and an operation shorter than the delay shows nothing either.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

#: Seconds before the first line is shown.
DELAY = 2.0
#: Environment variable that sets another delay (``0`` shows every step at once).
DELAY_ENV = "CONNECT_BOOKS_PROGRESS_DELAY"
#: Seconds a later step must last to get its own line (shorter ones are not worth one).
SETTLE = 0.3
#: How often the ticker looks at the current step.
TICK = 0.1
#: The step of an operation that has not named one.
WORKING = "処理しています"


class _Operation:
    """One command's progress: its name, its steps, and what was last shown."""

    def __init__(self, label: str, stream: TextIO, delay: float) -> None:
        self.label = label
        self.stream = stream
        self.delay = delay
        self.started = time.monotonic()
        self.steps: list[str] = []
        #: When the current step began.
        self.since = self.started
        self.shown: str | None = None
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.ticker = threading.Thread(target=self._run, name="progress", daemon=True)

    def _run(self) -> None:
        """After the delay, show the current step whenever it has lasted :data:`SETTLE`."""
        if self.done.wait(self.delay):
            return
        while True:
            with self.lock:
                if self.done.is_set():
                    return
                step = self.steps[-1] if self.steps else WORKING
                now = time.monotonic()
                if step != self.shown and (
                    self.shown is None or now - self.since >= SETTLE
                ):
                    self.shown = step
                    self._write(f"… {self.label}: {step} ({now - self.started:.0f}秒)")
            if self.done.wait(TICK):
                return

    def _write(self, line: str) -> None:
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not stop the work
            pass

    def enter(self, step: str) -> None:
        with self.lock:
            self.steps.append(step)
            self.since = time.monotonic()

    def leave(self) -> None:
        with self.lock:
            if self.steps:
                self.steps.pop()
            self.since = time.monotonic()

    def stop(self) -> None:
        self.done.set()
        self.ticker.join()


_current: _Operation | None = None


@contextmanager
def operation(
    label: str,
    step: str = WORKING,
    *,
    stream: TextIO | None = None,
    delay: float | None = None,
    force: bool = False,
) -> Iterator[None]:
    """Show the progress of ``label`` (``運営委員会資料`` …) while the block runs.

    Args:
      label: what the command makes or does, in Japanese.
      step: what it does when no :func:`phase` says more (``資料を作っています``).
      stream: where to write (standard error by default).
      delay: seconds before anything is shown (default ``$CONNECT_BOOKS_PROGRESS_DELAY``,
        else :data:`DELAY`).
      force: show even if ``stream`` is not a terminal (for tests).
    """
    global _current
    if delay is None:
        try:
            delay = float(os.environ.get(DELAY_ENV, DELAY))
        except ValueError:
            delay = DELAY
    out = stream if stream is not None else sys.stderr
    try:
        terminal = out.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if _current is not None or not (terminal or force):
        yield
        return
    current = _current = _Operation(label, out, delay)
    current.steps.append(step)
    current.ticker.start()
    try:
        yield
    finally:
        _current = None
        current.stop()


@contextmanager
def phase(step: str) -> Iterator[None]:
    """Mark a step of the current operation (``帳簿を読んでいます`` …); cheap without one."""
    current = _current
    if current is None:
        yield
        return
    current.enter(step)
    try:
        yield
    finally:
        current.leave()
