"""The project's own cache of loaded books: a warm start that cannot be tampered into code.

Beancount's pickle cache sits in the ledger folder, is keyed to file times and unpickles
anything, so the trusted load never uses it. This cache obeys other rules:

* **Outside the ledger folder**: ``$CONNECT_BOOKS_CACHE``, else
  ``$XDG_CACHE_HOME/connect-books``, else ``~/.cache/connect-books``; a folder only its
  owner can write (created ``0700``; refused if others may write it or it lies inside the
  books' folder). ``CONNECT_BOOKS_CACHE=off`` turns it off. One entry per books path.
* **Keyed to every input** (:class:`connect_books.cachekey.Inputs`): the bytes of every file of the books, what
  each ``include`` resolves to, every ``.beancount`` file in the folder (the gate's closed
  set), each ``document``'s real path and existence and the documents folder (what the
  rules and Beancount look at on disk), today's date (the rules judge future dates and
  overdue settlements by it), and the code: the source of every connect-books module and
  rule, and the Beancount and Python versions. Any difference is a miss, and the books
  are loaded as usual (:mod:`connect_books.trusted`, the only cold load).
* **Unable to run code**: an entry is signed with a keyed BLAKE2b MAC whose key
  (``key``, ``0600``) lives in the cache folder, never in the ledger folder; an entry
  whose MAC does not match is ignored. It is then read by
  :func:`connect_books.safepickle.loads`, which admits only data types. A refused or
  damaged entry is deleted and the books are loaded cold.
* **Not on the user's time**: a command that loaded cold leaves the entry to write
  (:func:`keep`); the command group calls :func:`flush` when the command is done, which
  writes it from a detached child process (``CONNECT_BOOKS_CACHE_WRITE=inline`` writes
  it before returning), so neither the command's time nor its peak memory includes it.

The entry holds the errors (and the count of each type of directive) apart from the
entries and options, so ``connect-books check`` on unchanged books reads only the errors
(:class:`Hit`), without even importing Beancount; the rest is read when a command first
asks for it. Beside the entry, the settled years' memo (:mod:`connect_books.settledmemo`)
is kept, signed the same way; it serves the next cold load of the same books.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connect_books import cachefolder, safepickle

if TYPE_CHECKING:
    from connect_books.cachekey import Inputs

#: ``background`` (the default) or ``inline``: how :func:`flush` writes.
WRITE_ENV = "CONNECT_BOOKS_CACHE_WRITE"
#: First bytes of an entry; the number changes with the layout.
MAGIC = b"connect-books cache 2\n"
#: The options key of the files' stamps (as :data:`connect_books.trusted.STAMP`).
STAMP = "connect_books_stamp"
FOLDER_ENV = cachefolder.FOLDER_ENV
KEY_NAME = cachefolder.KEY_NAME
SUFFIX = cachefolder.SUFFIX
folder = cachefolder.folder
entry_path = cachefolder.entry_path
wait = cachefolder.wait


@dataclass(frozen=True)
class Rest:
    """What an entry holds besides the errors, read when a command first needs it."""

    entries: list[Any]
    options: dict[str, Any]
    #: The entries as booked, before the rules (:class:`connect_books.books.Basis`).
    booked: list[Any]
    rules: tuple[int, int]
    local: bool


@dataclass(frozen=True)
class Hit:
    """A verified entry: what ``connect-books check`` needs, and the rest for later.

    Reading the errors and counts needs neither Beancount nor the rules to be imported
    (unless there are errors, whose types are theirs).
    """

    errors: list[Any]
    #: Counts by directive type (``Transaction`` …), so ``check`` needs no entries.
    counts: dict[str, int]
    #: The files' stamps, taken as they were read for the key.
    stamp: tuple[tuple[str, int, int], ...]
    rest: Callable[[], Rest]


# --- The inputs an entry is keyed to -----------------------------------------------------


def lookup(main: Path) -> Hit | None:
    """The cached load of the books at ``main`` (resolved) if every input is unchanged."""
    from connect_books.cachekey import Inputs

    _seen.pop(main, None)
    place = folder()
    if place is None or not cachefolder.usable(place, main.parent, create=False):
        return None
    key = cachefolder.key(place, create=False)
    path = entry_path(place, main)
    if key is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    parts = cachefolder.unseal(blob, key, MAGIC, 3)
    if parts is None:
        cachefolder.discard(path)
        return None
    header, head, rest = bytes(parts[0]), parts[1], parts[2]
    try:
        recorded = Inputs.from_json(json.loads(header))
        found, stamps = Inputs.now(main, recorded)
        if found != recorded:
            return None
        errors, counts = safepickle.loads(head)
    except (ValueError, TypeError, KeyError, pickle.UnpicklingError):
        cachefolder.discard(path)
        return None
    with suppress(OSError):
        os.utime(path)  # (recently used)
    _seen[main] = found

    def read_rest() -> Rest:
        entries, options, booked, (start, end), local = safepickle.loads(rest)
        options = dict(options)
        options[STAMP] = stamps
        return Rest(entries, options, booked, (int(start), int(end)), bool(local))

    return Hit(list(errors), dict(counts), stamps, read_rest)


_seen: dict[Path, Inputs] = {}


def inputs_of(main: Path) -> Inputs | None:
    """What the last load of the books at ``main`` (resolved) in this process depended
    on (:class:`connect_books.cachekey.Inputs`), as it read them: from the cache, or
    from the cold load :func:`keep` remembered; None if neither (the cache is off)."""
    if main in _seen:
        return _seen[main]
    if _kept and _kept[0][0].main.resolve() == main:
        from connect_books.cachekey import Inputs

        loading, disk = _kept[0]
        return Inputs.of(loading, disk)
    return None


# --- Writing -------------------------------------------------------------------------------

_kept: list[tuple[Any, Any]] = []


_collecting: list[bool] = []


@contextmanager
def collecting() -> Iterator[None]:
    """Within the block (a command of the command group), :func:`keep` remembers loads.

    Elsewhere (a library call, a server) nothing is remembered, so nothing is held.
    """
    _collecting.append(True)
    try:
        yield
    finally:
        _collecting.pop()


def keep(loading: Any) -> None:
    """Remember a cold load (:class:`connect_books.trusted.Loading`) for :func:`flush`,
    within :func:`collecting`.

    What the load depended on besides the files' bytes is taken now, as it ends.
    """
    from connect_books.cachekey import disk_after

    if _collecting and folder() is not None and loading.whole:
        _kept[:] = [(loading, disk_after(loading))]


def forget() -> None:
    """Drop what :func:`keep` remembered (the books were just written: it is stale)."""
    _kept.clear()
    _seen.clear()


def flush() -> None:
    """Write the entry :func:`keep` remembered: from a detached child, or inline.

    Called by the command group when a command is done. Never raises: a cache that cannot
    be written is no reason for a command to fail.
    """
    if not _kept:
        return
    loading, disk = _kept.pop()
    if os.environ.get(WRITE_ENV, "background") == "inline" or not hasattr(os, "fork"):
        with suppress(Exception):
            store(loading, disk)
        return
    place = folder()
    main = loading.main.resolve()
    if place is None or not cachefolder.usable(place, main.parent, create=True):
        return
    lock = cachefolder.Writing(entry_path(place, main))
    if not lock.take():  # another process is writing this entry right now
        return
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    try:
        child = os.fork()
    except OSError:
        lock.release()
        return
    if child:  # the lock stays with the child's copy of the descriptor
        lock.leave()
        _reap(child)
        return
    try:  # the child: its own session, writes, leaves
        os.setsid()
        _detached_write(loading, disk)
    finally:
        os._exit(0)


_children: list[int] = []


def _reap(child: int) -> None:
    """Note ``child``, and collect the writers of earlier commands that have ended (a
    process that runs commands one after another keeps no zombie but the last)."""
    for pid in list(_children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _children.remove(pid)
    _children.append(child)


def _detached_write(loading: Any, disk: Any) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    with suppress(OSError):
        os.nice(10)
    with suppress(Exception):
        store(loading, disk, locked=True)


def store(loading: Any, disk: Any = None, *, locked: bool = False) -> Path | None:
    """Write the entry of a cold load now; the path written, or None.

    Args:
      loading: a :class:`connect_books.trusted.Loading` of the books, whole.
      disk: what it found on disk (:func:`connect_books.cachekey.disk_after`), taken
        when it ended; taken now if not given.
      locked: the caller holds the entry's lock already.
    """
    from connect_books.cachekey import Inputs, disk_after

    main = loading.main.resolve()
    place = folder()
    if (
        place is None
        or not loading.whole
        or not cachefolder.usable(place, main.parent, create=True)
    ):
        return None
    key = cachefolder.key(place, create=True)
    if key is None:
        return None
    path = entry_path(place, main)
    with cachefolder.Writing(path, held=locked):
        inputs = Inputs.of(loading, disk if disk is not None else disk_after(loading))
        counts: dict[str, int] = {}
        for entry in loading.entries:
            name = type(entry).__name__
            counts[name] = counts.get(name, 0) + 1
        options = {k: v for k, v in loading.options.items() if k != STAMP}
        parts = [
            json.dumps(inputs.to_json(), ensure_ascii=False).encode("utf-8"),
            safepickle.dumps((loading.errors, counts)),
            safepickle.dumps(
                (loading.entries, options, loading.booked, loading.rules, loading.local)
            ),
        ]
        if not cachefolder.write_file(path, cachefolder.seal(key, MAGIC, parts)):
            return None
        memo = getattr(loading, "memo", None)
        if memo is not None and memo.records:
            cachefolder.write_memo(place, key, main, memo.to_json())
    cachefolder.evict(place)
    return path


def read_memo(main: Path, main_digest: str) -> dict[str, Any]:
    """The settled years' records kept for the books at ``main`` whose main file has the
    digest ``main_digest`` (and for this code)."""
    from connect_books.settledmemo import Memo, context_of

    value = cachefolder.read_memo(main)
    if value is None:
        return {}
    try:
        return Memo.records_from_json(value, context_of(main_digest))
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}
