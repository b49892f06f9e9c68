"""The packs' own cache: a board or audit pack asked for again is copied, not rebuilt.

A pack is a function of the books (every input of a load, as the load cache has them:
:class:`connect_books.cachekey.Inputs`, today's date among them), of the code that makes
it (the load's code version, the reports' sources and openpyxl's version) and of the
arguments that change its content (the 年度 and ``--as-of``; not ``-o``). After a pack
is written (:func:`save`), its bytes are kept in the cache folder
(:mod:`connect_books.cachefolder`) with those inputs, signed with the cache's key. The
next run with the same arguments (:func:`reuse`) checks the signature and that every
input is still as it was, then writes the kept bytes to the output file
(:func:`connect_books.output.write_file`), without loading the books (their files are
only read and hashed) or building a report: neither Beancount, openpyxl nor the reports
are imported.

Anything that does not verify (another key, a changed byte, another code version, a
changed file of the books, another day) is not used, and the pack is built as usual.
``CONNECT_BOOKS_CACHE=off`` turns this off with the load cache. One entry per books,
command and arguments; the least recently used beyond :data:`MAX_PACKS` (or
:data:`MAX_BYTES`) are removed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import secrets
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connect_books import cachefolder
from connect_books.errors import Refused

if TYPE_CHECKING:
    from openpyxl import Workbook

    from connect_books.books import Books

#: First bytes of an entry; the number changes with the layout.
MAGIC = b"connect-books pack 1\n"
SUFFIX = ".pack"
#: Packs kept; the least recently used beyond this many, or beyond :data:`MAX_BYTES`
#: in all, are removed.
MAX_PACKS = 16
MAX_BYTES = 512 * 1024 * 1024
_code: str | None = None


@dataclass(frozen=True)
class Reused:
    """A pack written from the cache: where, and the notices its build printed."""

    path: Path
    notices: tuple[str, ...]


def code_version() -> str:
    """The load's code version, the reports' sources and openpyxl's version."""
    global _code
    if _code is None:
        from connect_books.cachekey import code_version as load_code

        sources = hashlib.blake2b(digest_size=32)
        sources.update(f"{load_code()}\n".encode())
        sources.update(b"openpyxl\n" + _openpyxl_version())
        spec = importlib.util.find_spec("connect_books.reports")
        places = spec.submodule_search_locations if spec is not None else None
        for place in sorted(places or ()):
            for path in sorted(Path(place).rglob("*.py")):
                sources.update(f"reports/{path.relative_to(place)}\n".encode())
                sources.update(path.read_bytes())
        _code = sources.hexdigest()
    return _code


def _openpyxl_version() -> bytes:
    """openpyxl's version as its source states it (read, not imported: that is slow)."""
    spec = importlib.util.find_spec("openpyxl")
    if spec is None or spec.origin is None:
        return b"?"
    try:
        return (Path(spec.origin).parent / "_constants.py").read_bytes()
    except OSError:
        return b"?"


def _place(main: Path, *, create: bool) -> tuple[Path, bytes] | None:
    """The cache folder and its key, if the cache is on and usable for these books."""
    place = cachefolder.folder()
    if place is None or not cachefolder.usable(place, main.parent, create=create):
        return None
    key = cachefolder.key(place, create=create)
    return None if key is None else (place, key)


def _entry(place: Path, main: Path, command: str, params: dict[str, Any]) -> Path:
    """Where the pack of ``command`` with ``params`` for the books at ``main`` lives."""
    what = json.dumps([str(main), command, params], sort_keys=True)
    name = hashlib.blake2b(what.encode("utf-8"), digest_size=16).hexdigest()
    return place / f"{name}{SUFFIX}"


def _meta(command: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"command": command, "params": params, "code": code_version()}


def reuse(
    ledger: str | None, command: str, params: dict[str, Any], output: str | None
) -> Reused | None:
    """Write the kept pack of ``command`` with ``params`` to ``output`` (else the name
    its build chose), if every input is as when it was built; None otherwise.

    Args:
      ledger: the books as given on the command line.
      params: every argument that changes the pack's content, and today's date (JSON
        values).
      output: the ``-o`` path, if any.

    Raises:
      OutputRefused: the output cannot be written (as a build would say).
    """
    from connect_books import atomic
    from connect_books.books import existing_ledger
    from connect_books.cachekey import Inputs
    from connect_books.output import write_file

    try:
        main = existing_ledger(ledger)
    except Refused:
        return None  # (a build says why)
    if cachefolder.folder() is None or atomic.pending(main.parent):
        return None
    found = _place(main, create=False)
    if found is None:
        return None
    place, key = found
    path = _entry(place, main, command, params)
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    parts = cachefolder.unseal(blob, key, MAGIC, 2)
    if parts is None:
        cachefolder.discard(path)
        return None
    try:
        header = json.loads(bytes(parts[0]))
        if header["meta"] != _meta(command, params):
            return None
        recorded = Inputs.from_json(header["inputs"])
        name, notices = str(header["name"]), tuple(map(str, header["notices"]))
    except (ValueError, TypeError, KeyError):
        cachefolder.discard(path)
        return None
    now, _ = Inputs.now(main, recorded)
    if now != recorded:
        return None
    target = write_file(Path(output) if output else Path(name), bytes(parts[1]))
    with suppress(OSError):
        os.utime(path)  # (recently used)
    return Reused(target, notices)


def save(
    workbook: Workbook,
    path: Path,
    books: Books,
    command: str,
    params: dict[str, Any],
    *,
    name: Path,
    notices: tuple[str, ...] = (),
) -> Path:
    """Save ``workbook`` at ``path`` (:func:`connect_books.reports.sheets.save_workbook`)
    and keep its bytes for :func:`reuse`; the path written.

    Args:
      books: the books it was made from (their inputs are the key).
      name: the output name the command chose without ``-o``.
      notices: what the command printed to standard error before the path.

    Raises:
      OutputRefused: the output cannot be written.
    """
    from connect_books import cache
    from connect_books.output import OutputRefused, write_file
    from connect_books.reports.sheets import save_workbook

    inputs = cache.inputs_of(books.path)
    found = _place(books.path, create=True) if inputs is not None else None
    if inputs is None or found is None or inputs.today != params.get("today"):
        return save_workbook(workbook, path)
    place, key = found
    scratch = place / f".{os.getpid()}.{secrets.token_hex(8)}.xlsx"
    try:
        save_workbook(workbook, scratch)
        content = scratch.read_bytes()
    except (OutputRefused, OSError):  # (the cache's disk: saved as without it)
        return save_workbook(workbook, path)
    finally:
        cachefolder.discard(scratch)
    written = write_file(path, content)
    header = {
        "meta": _meta(command, params),
        "inputs": inputs.to_json(),
        "name": str(name),
        "notices": list(notices),
    }
    blob = json.dumps(header, ensure_ascii=False).encode("utf-8")
    entry = _entry(place, books.path, command, params)
    if cachefolder.write_file(entry, cachefolder.seal(key, MAGIC, [blob, content])):
        evict(place)
    return written


def evict(place: Path) -> None:
    """Remove the least recently used packs beyond :data:`MAX_PACKS` or
    :data:`MAX_BYTES` (the newest is always kept)."""
    found = []
    for path in place.glob(f"*{SUFFIX}"):
        with suppress(OSError):
            info = path.stat()
            found.append((info.st_mtime, info.st_size, path))
    found.sort(reverse=True)
    total = 0
    for count, (_, size, path) in enumerate(found):
        total += size
        if count and (count >= MAX_PACKS or total > MAX_BYTES):
            cachefolder.discard(path)
