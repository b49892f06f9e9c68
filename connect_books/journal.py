"""Where a new entry goes: the journal file of its 年度, next to the main file.

One journal file per 年度 (``ledger/2026.beancount``); the writer creates and includes it
on the first entry of a new 年度. A settled 年度's file still exists, but the settlement
lock refuses every new entry dated in it, and ``main.beancount`` is never written.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from connect_books.fiscal import FiscalYear


def journal_for(main: Path, day: datetime.date) -> Path:
    """The journal file for an entry dated ``day`` (``<ledger>/<年度>.beancount``)."""
    return Path(main).resolve().parent / f"{FiscalYear.of(day).year}.beancount"
