"""Settlements recorded before, as the books' git history has them.

A settlement deleted from ``settlements.beancount`` is an error (the year is overdue), but
``close-year`` could then record the year again, over changed records, with the same
approval date: nothing in the books would show it. When the books are in a git
repository, :func:`recorded_before` reads every settlement of a 年度 that any commit of
the settlements file ever held, so that ``close-year`` can refuse to record another one
in silence. Books outside git (or without git installed) have no history: nothing is found.

Every branch and what the reflog still holds are read, as text whatever the repository's
attributes say (``-diff``, a textconv driver). A history rewritten and expired from the
reflog is out of its sight: the printed fingerprint and ``connect-books verify`` remain.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from connect_books.fiscal import FiscalYear

_FINGERPRINT = re.compile(r'^\s+fingerprint:\s*"([0-9a-f]{64})"')
_COMMIT = "\x00commit "


@dataclass(frozen=True)
class Recorded:
    """A settlement of the 年度 in one commit: its fingerprint and the commit's day."""

    fingerprint: str
    day: str


def recorded_before(target: Path, year: FiscalYear) -> list[Recorded]:
    """Every settlement of ``year`` the git history of ``target`` shows (oldest last)."""
    try:
        result = subprocess.run(
            [
                "git",
                "-C",
                str(target.parent),
                "-c",
                "core.attributesFile=/dev/null",
                "log",
                "--all",  # (every branch, and what the reflog still holds)
                "--reflog",
                "-p",
                "--text",  # (even if .gitattributes says -diff or binary)
                "--no-textconv",
                "--no-color",
                "--no-ext-diff",
                "--format=%x00commit %cs",
                "--",
                target.name,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return []
    if result.returncode != 0:
        return []
    head = re.compile(rf'^\s*\d{{4}}-\d\d-\d\d\s+custom\s+"settlement"\s+{year.year}\s')
    found: list[Recorded] = []
    day, inside = "", False
    for line in result.stdout.split("\n"):
        if line.startswith(_COMMIT):
            day, inside = line[len(_COMMIT) :], False
            continue
        if line[:1] not in ("+", "-", " ") or line.startswith(("+++", "---")):
            inside = False
            continue
        text = line[1:]
        if head.match(text):
            inside = True
        elif inside:
            match = _FINGERPRINT.match(text)
            if match is not None:
                if all(r.fingerprint != match.group(1) for r in found):
                    found.append(Recorded(match.group(1), day))
                inside = False
            elif not text.startswith((" ", "\t")):
                inside = False
    return found
