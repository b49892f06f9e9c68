"""The entry a write of the 記帳 page landed, as Fava has it after loading the books again.

The write says where the text begins (``2026.beancount:281``); the page finds the
directive there (or on the next line, after a comment) among Fava's entries, with the
``document`` that shares its link, and shows their lines as they now stand in the file,
with links to Fava's journal for that day and to the entry's context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data
from fava.application import url_for
from fava.beans.funcs import hash_entry
from fava.core.file import get_entry_slice

if TYPE_CHECKING:
    from fava.core import FavaLedger

_WRITTEN = re.compile(r"^(\d{4}\.beancount):(\d{1,9})$")


@dataclass(frozen=True)
class Landed:
    """A written entry as Fava shows it (``found`` False: Fava does not have it yet)."""

    where: str
    text: str = ""
    journal_href: str = ""
    context_href: str = ""
    found: bool = False


def landed(ledger: FavaLedger, written: str) -> Landed | None:
    """The entry at ``written`` (``<file>:<line>`` of the ledger folder), or None when
    ``written`` is not such a place."""
    match = _WRITTEN.match(written)
    if match is None:
        return None
    folder = Path(ledger.beancount_file_path).resolve().parent
    path, line = folder / match.group(1), int(match.group(2))
    entries: list[Any] = list(ledger.all_entries)
    here = [
        e
        for e in entries
        if e.meta.get("lineno") in (line, line + 1)
        and _in(e.meta.get("filename"), path)
    ]
    if not here:
        return Landed(written)
    first = here[0]
    links = set(getattr(first, "links", None) or ())
    documents = [
        e
        for e in entries
        if isinstance(e, data.Document)
        and links & set(e.links or ())
        and e is not first
        and _in(e.meta.get("filename"), path)
    ]
    text = "\n".join(get_entry_slice(e)[0] for e in [first, *documents])
    journal = url_for("report", report_name="journal", time=first.date.isoformat())
    return Landed(
        written,
        text=text,
        journal_href=journal,
        context_href=f"{journal}#context-{hash_entry(first)}",
        found=True,
    )


def _in(filename: object, path: Path) -> bool:
    return isinstance(filename, str) and Path(filename).resolve() == path
