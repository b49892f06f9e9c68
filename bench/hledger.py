"""The generated books as an hledger journal, for ``hledger check`` as a peer in the benchmark.

What is converted: every ``open`` (an ``account`` directive), every transaction (date,
flag, ``payee | narration``, postings in JPY) and every ``balance`` (an assertion on a
posting of zero, dated the day before, since Beancount's ``balance`` holds at the start
of its day and hledger's at the end of the day it is written on). The rest (``custom``
directives, metadata) has no meaning to hledger and is left out; the books have no
``pad``, prices or costs::

    python bench/hledger.py bench/books/10000/main.beancount   # -> …/books.journal
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))


def convert(main: Path, out: Path | None = None) -> Path:
    """Write the hledger journal of the books at ``main`` (next to it by default)."""
    from beancount.core import data

    from connect_books.beancompat import load_uncached

    entries, errors, _ = load_uncached(main)
    if errors:
        raise ValueError(f"{main}: {errors[0].message}")
    out = out or main.with_name("books.journal")
    lines: list[str] = []
    for entry in entries:
        if type(entry) is data.Open:
            lines.append(f"account {entry.account}\n")
        elif type(entry) is data.Balance:
            day = entry.date - datetime.timedelta(days=1)
            amount = f"{entry.amount.number} {entry.amount.currency}"
            lines.append(f"{day} * 残高確認\n    {entry.account}  0 JPY = {amount}\n\n")
        elif type(entry) is data.Transaction:
            text = " | ".join(_clean(t) for t in (entry.payee, entry.narration) if t)
            lines.append(f"{entry.date} {entry.flag} {text}\n")
            for posting in entry.postings:
                units = posting.units
                lines.append(
                    f"    {posting.account}  {units.number} {units.currency}\n"
                )
            lines.append("\n")
    out.write_text("".join(lines), encoding="utf-8")
    return out


def _clean(text: str) -> str:
    return " ".join(text.replace(";", "；").split())


if __name__ == "__main__":
    print(convert(Path(sys.argv[1]).resolve()))
