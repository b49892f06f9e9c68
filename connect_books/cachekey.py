"""What a cached load depends on (:class:`Inputs`): the key of a cache entry.

A load of the books is a function of:

* the bytes of every file of the books, and where each ``include`` leads (a symbolic link
  may be retargeted without a byte changing);
* every ``.beancount`` file under the ledger folder (one that nobody includes is an error);
* each ``document``'s real path (the rules refuse one outside ``documents/``) and whether
  it exists (Beancount reports a missing one), and where ``documents/`` really is;
* today's date (the rules refuse dates far ahead and report overdue settlements);
* the code: the source of every module of connect-books and of its rules, and the
  versions of Beancount and Python.

Two loads with equal :class:`Inputs` give the same entries, errors and options.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The folder of vouchers, next to the main file (as the hygiene rule has it).
DOCUMENTS = "documents"
_code: str | None = None


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def code_version() -> str:
    """A digest of the code a load runs: our sources, Beancount's and Python's versions."""
    global _code
    if _code is None:
        import importlib.util

        sources = hashlib.blake2b(digest_size=32)
        sources.update(f"{sys.version}\n{_beancount_version()}\n".encode())
        for package in ("connect_books", "connect_books.plugins"):
            spec = importlib.util.find_spec(package)
            places = spec.submodule_search_locations if spec is not None else None
            for place in sorted(places or ()):
                for path in sorted(Path(place).glob("*.py")):
                    sources.update(f"{package}/{path.name}\n".encode())
                    sources.update(path.read_bytes())
        _code = sources.hexdigest()
    return _code


def _beancount_version() -> str:
    """Beancount's version, read as Beancount does (without importing it: that is slow)."""
    import importlib.util

    spec = importlib.util.find_spec("beancount")
    if spec is None or spec.origin is None:
        return "?"
    try:
        return (
            (Path(spec.origin).parent / "VERSION").read_text(encoding="utf-8").strip()
        )
    except OSError:
        return "?"


def _read(path: str) -> tuple[str, tuple[str, int, int]]:
    """The digest of a file's bytes and its stamp (taken before reading), or ``""``."""
    try:
        info = os.stat(path)
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return "", (path, -1, -1)
    return _digest(data), (path, info.st_mtime_ns, info.st_size)


def _strays(folder: Path) -> tuple[tuple[str, str, bool], ...]:
    """Every ``.beancount`` file under ``folder`` as the gate sees it."""
    return tuple(
        (str(path), str(path.resolve()), path.is_file())
        for path in sorted(folder.rglob("*.beancount"))
    )


def _documents(filenames: list[str]) -> tuple[tuple[str, str, bool], ...]:
    return tuple(
        (name, os.path.realpath(name), os.path.exists(name)) for name in filenames
    )


@dataclass(frozen=True)
class Disk:
    """What a load found on disk besides the files' bytes, taken when it ended."""

    main: str
    today: str
    strays: tuple[tuple[str, str, bool], ...]
    documents_root: str
    documents: tuple[tuple[str, str, bool], ...]


def disk_after(loading: Any) -> Disk:
    """:class:`Disk` for a load that just ended (cheap: the folder and the documents)."""
    from beancount.core import data

    main: Path = loading.main.resolve()
    names = sorted(
        {str(e.filename) for e in loading.entries if type(e) is data.Document}
    )
    return Disk(
        main=str(main),
        today=loading.today.isoformat(),
        strays=_strays(main.parent),
        documents_root=os.path.realpath(main.parent / DOCUMENTS),
        documents=_documents(names),
    )


@dataclass(frozen=True)
class Inputs:
    """Everything a load of the books at ``main`` depends on (see the module docstring)."""

    main: str
    code: str
    today: str
    #: ``(resolved path, digest of its bytes)`` of each file, the main file first.
    files: tuple[tuple[str, str], ...]
    #: ``(including file, name as written, where it leads)`` of each ``include``.
    links: tuple[tuple[str, str, str], ...]
    strays: tuple[tuple[str, str, bool], ...]
    documents_root: str
    #: ``(file name, real path, exists)`` of each ``document``.
    documents: tuple[tuple[str, str, bool], ...]

    @classmethod
    def of(cls, loading: Any, disk: Disk) -> Inputs:
        """The inputs of a cold load (:class:`connect_books.trusted.Loading`), as it read
        them, with what it found on ``disk`` (taken by :func:`disk_after` right after it)."""
        files = tuple(
            (str(path), _digest(text.encode("utf-8")))
            for path, text in loading.texts.items()
        )
        links = tuple(
            (str(path), name, str((path.parent / name).resolve()))
            for path, names in loading.includes.items()
            for name in names
        )
        return cls(
            main=disk.main,
            code=code_version(),
            today=disk.today,
            files=files,
            links=links,
            strays=disk.strays,
            documents_root=disk.documents_root,
            documents=disk.documents,
        )

    @classmethod
    def now(
        cls, main: Path, recorded: Inputs
    ) -> tuple[Inputs | None, tuple[tuple[str, int, int], ...]]:
        """The inputs now, for the files and documents ``recorded`` names, and the files'
        stamps (:func:`connect_books.trusted.stamp`); None at the first difference."""
        if (
            str(main) != recorded.main
            or datetime.date.today().isoformat() != recorded.today
            or code_version() != recorded.code
        ):
            return None, ()
        files = []
        stamps = []
        for path, _ in recorded.files:
            digest, stamp = _read(path)
            files.append((path, digest))
            stamps.append(stamp)
        links = tuple(
            (path, name, os.path.realpath(os.path.join(os.path.dirname(path), name)))
            for path, name, _ in recorded.links
        )
        names = [name for name, _, _ in recorded.documents]
        found = cls(
            main=recorded.main,
            code=recorded.code,
            today=recorded.today,
            files=tuple(files),
            links=links,
            strays=_strays(main.parent),
            documents_root=os.path.realpath(main.parent / DOCUMENTS),
            documents=_documents(names),
        )
        return found, tuple(stamps)

    def to_json(self) -> dict[str, Any]:
        """The inputs as JSON values (the header of a cache entry)."""
        return {
            "main": self.main,
            "code": self.code,
            "today": self.today,
            "files": [list(f) for f in self.files],
            "links": [list(f) for f in self.links],
            "strays": [list(f) for f in self.strays],
            "documents_root": self.documents_root,
            "documents": [list(f) for f in self.documents],
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Inputs:
        """Inputs read back from :meth:`to_json` (``ValueError``/``TypeError`` if malformed)."""
        return cls(
            main=str(value["main"]),
            code=str(value["code"]),
            today=str(value["today"]),
            files=tuple((str(a), str(b)) for a, b in value["files"]),
            links=tuple((str(a), str(b), str(c)) for a, b, c in value["links"]),
            strays=tuple((str(a), str(b), bool(c)) for a, b, c in value["strays"]),
            documents_root=str(value["documents_root"]),
            documents=tuple(
                (str(a), str(b), bool(c)) for a, b, c in value["documents"]
            ),
        )
