"""Settled years (決算, 第27条2): the one reader of ``settlement`` directives.

``connect-books close-year`` writes one per settled 年度 into ``ledger/settlements.beancount``::

    2026-06-20 custom "settlement" 2025 "総会" 6543210 JPY
      audited: 2026-05-23
      previous: "…"            ; the previous 年度's fingerprint (none for the first year)
      reason: "…"              ; only when the approval departs from 第20条/第27条2
      fingerprint: "…"
      entries: "2025-06-28 0f3a…
    2025-06-28 9b1c…"

The directive's date is the day the 総会 approved the settlement; the amount is the approved
次期繰越正味財産; ``entries`` lists a digest of every entry dated in the 年度 (one per line,
``DATE DIGEST``, sorted), so a later change can be named. ``fingerprint``
(:func:`seal`) covers the approval (year, date, body, audit date, carry-forward, reason),
the previous year's fingerprint and that list: rewriting any of them, or removing a year
from the chain, shows.

A long list continues in ``entries-2``, ``entries-3`` … (at most :data:`CHUNK_LINES` lines
each): Beancount's lexer takes time quadratic in a string's length, so one string of 50,000
lines would take most of a second to parse, while 50 strings of 1,000 take milliseconds.

The digests are :mod:`connect_books.digest`'s; ``close-year`` plans the directive with
:mod:`connect_books.closing`; the settlement plugin checks the books against it.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from connect_books.errors import BooksError
from connect_books.fiscal import FiscalYear
from connect_books.money import JPY

SETTLEMENT = "settlement"
#: Lines per ``entries`` string (``entries``, ``entries-2``, ``entries-3`` …).
CHUNK_LINES = 1000


class SettlementDirectiveError(BooksError):
    """A malformed settlement directive."""


@dataclass(frozen=True)
class Settlement:
    """A settled 年度: approval, approved carry-forward and the digests of its entries."""

    year: FiscalYear
    date: datetime.date
    body: str
    carry_forward: Decimal
    fingerprint: str
    #: The ``entries``, ``entries-2`` … strings as written, in order.
    recorded: tuple[str, ...]
    audited: datetime.date | None = None
    #: The previous 年度's fingerprint ("" for the first year).
    previous: str = ""
    #: Why the approval departs from the articles (第20条, 第27条2), if it does.
    reason: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    entry: data.Custom | None = field(default=None, compare=False, repr=False)

    @property
    def recorded_text(self) -> str:
        """The whole ``entries`` list: one ``DATE DIGEST`` per line."""
        return "\n".join(self.recorded)

    @property
    def sealed(self) -> str:
        """The fingerprint the record's own contents give (:func:`seal`)."""
        return seal(
            self.year,
            self.date,
            self.body,
            self.audited,
            self.carry_forward,
            self.previous,
            self.reason,
            self.recorded_text,
        )

    @cached_property
    def digests(self) -> tuple[tuple[datetime.date, str], ...]:
        """The recorded ``(date, digest)`` pairs (read when first asked for)."""
        return tuple(_read_digests(self.recorded))


def read_settlements(
    entries: Iterable[data.Directive],
) -> tuple[dict[FiscalYear, Settlement], list[BooksError]]:
    """Settled years by 年度; malformed or duplicate directives become errors."""
    settled: dict[FiscalYear, Settlement] = {}
    errors: list[BooksError] = []
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != SETTLEMENT:
            continue
        values = [v.value for v in entry.values]
        ok = (
            len(values) == 3
            and isinstance(values[0], Decimal)
            and values[0].as_tuple().exponent == 0  # (2025, not 2025.5 nor 2025.0)
            and isinstance(values[1], str)
            and isinstance(values[2], Amount)
            and values[2].currency == JPY
        )
        try:
            year = FiscalYear(int(values[0])) if ok else None
        except ValueError:
            year = None
        if year is None:
            errors.append(
                SettlementDirectiveError(
                    entry.meta,
                    '決算の書式が違います: custom "settlement" 2025 "総会" 次期繰越正味財産 JPY と書いてください'
                    " (connect-books close-year が書きます)。",
                    entry,
                )
            )
            continue
        if year in settled:
            errors.append(
                SettlementDirectiveError(
                    entry.meta, f"{year.label}の決算が二重に記録されています。", entry
                )
            )
            continue
        recorded = []
        key, number = "entries", 1
        while key in entry.meta:
            recorded.append(str(entry.meta[key]))
            number += 1
            key = f"entries-{number}"
        audited = entry.meta.get("audited")
        settled[year] = Settlement(
            previous=str(entry.meta.get("previous", "")),
            reason=str(entry.meta.get("reason", "")),
            year=year,
            date=entry.date,
            body=values[1],
            carry_forward=values[2].number,
            fingerprint=str(entry.meta.get("fingerprint", "")),
            recorded=tuple(recorded),
            audited=audited if isinstance(audited, datetime.date) else None,
            meta=entry.meta,
            entry=entry,
        )
    return settled, errors


def seal(
    year: FiscalYear,
    approved: datetime.date,
    body: str,
    audited: datetime.date | None,
    carry_forward: Decimal,
    previous: str,
    reason: str,
    entries_text: str,
) -> str:
    """The fingerprint of a settlement: SHA-256 (hex) of its approval and its entries.

    The approval is written one field a line (year, approval date, body, audit date,
    approved carry-forward in JPY, the previous year's fingerprint, the reason), then a
    blank line, then the ``entries`` list: the text a person can recompute from the
    printed settlement.
    """
    head = "\n".join(
        [
            "connect-books settlement 2",
            f"year={year.year}",
            f"approved={approved.isoformat()}",
            f"body={body}",
            f"audited={audited.isoformat() if audited else ''}",
            f"carry-forward={format(carry_forward, 'f')} JPY",
            f"previous={previous}",
            f"reason={reason}",
        ]
    )
    return hashlib.sha256(f"{head}\n\n{entries_text}".encode()).hexdigest()


def _read_digests(chunks: Iterable[str]) -> list[tuple[datetime.date, str]]:
    """The ``DATE DIGEST`` lines of the ``entries`` strings, in order."""
    digests: list[tuple[datetime.date, str]] = []
    days: dict[str, datetime.date] = {}
    for chunk in chunks:
        for line in chunk.split("\n"):
            parts = line.split()
            if len(parts) != 2:
                continue
            day = days.get(parts[0])
            if day is None:
                try:
                    day = days[parts[0]] = datetime.date.fromisoformat(parts[0])
                except ValueError:
                    continue
            digests.append((day, parts[1]))
    return digests
