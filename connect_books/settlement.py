"""Settled years (決算, 第27条2): the one reader of ``settlement`` directives.

``connect-books close-year`` writes one per settled 年度 into ``ledger/settlements.beancount``::

    2026-06-20 custom "settlement" 2025 "総会" 6543210 JPY
      audited: 2026-05-23
      fingerprint: "…"
      entries: "2025-06-28 0f3a…
    2025-06-28 9b1c…"

The directive's date is the day the 総会 approved the settlement; the amount is the approved
次期繰越正味財産; ``entries`` lists a digest of every entry dated in the 年度 (one per line,
``DATE DIGEST``, sorted), so a later change can be named; ``fingerprint`` digests that list.

A long list continues in ``entries-2``, ``entries-3`` … (at most :data:`CHUNK_LINES` lines
each): Beancount's lexer takes time quadratic in a string's length, so one string of 50,000
lines would take most of a second to parse, while 50 strings of 1,000 take milliseconds.
"""

from __future__ import annotations

import bisect
import datetime
import enum
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from beancount.core import account, data, flags

from connect_books.errors import BooksError
from connect_books.fiscal import FiscalYear

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
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    entry: data.Custom | None = field(default=None, compare=False, repr=False)

    @property
    def recorded_text(self) -> str:
        """The whole ``entries`` list: one ``DATE DIGEST`` per line."""
        return "\n".join(self.recorded)

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
            and isinstance(values[1], str)
            and isinstance(values[2], data.Amount)
            and values[2].currency == "JPY"
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


# --- Digests: what a settlement records about each entry -----------------------------------

_blake2b = hashlib.blake2b
#: The filename Beancount gives text parsed from a string (a docstring ledger, or the
#: text the safe writer is about to append): user text, not a plugin's synthetic entry.
STRING_SOURCE = "<string>"


def is_user_entry(entry: data.Directive) -> bool:
    """Whether ``entry`` is a directive the user wrote (and a settlement locks).

    Excluded: synthetic entries (a filename like ``<pad>`` or one not ending in
    ``.beancount``, e.g. a discovered document), the settlement directives themselves,
    and the padding transactions Beancount's ``pad`` inserts.
    """
    meta = entry.meta
    filename = meta.get("filename") if meta else None
    if not isinstance(filename, str):
        return False
    if filename != STRING_SOURCE and (
        filename.startswith("<") or not filename.endswith(".beancount")
    ):
        return False
    if type(entry) is data.Custom:
        return bool(entry.type != SETTLEMENT)
    return not is_padding(entry)


def is_padding(entry: data.Directive) -> bool:
    """Whether ``entry`` is a transaction Beancount's ``pad`` inserted."""
    return (
        type(entry) is data.Transaction
        and entry.flag == flags.FLAG_PADDING
        and (entry.narration or "").startswith("(Padding inserted")
    )


def _meta_text(meta: dict[str, Any] | None) -> str:
    """``key=value`` pairs (``repr`` of the value), sorted by key, position keys left out."""
    if not meta:
        return ""
    keys = [
        key for key in meta if key != "filename" and key != "lineno" and key[:2] != "__"
    ]
    if not keys:
        return ""
    if len(keys) > 1:
        keys.sort()
    return "\x1d".join([f"{key}={_value_text(meta[key])}" for key in keys])


def _amount_text(amount: Any) -> str:
    if amount is None:
        return "-"
    return f"{amount.number!s} {amount.currency}"


def _value_text(value: Any) -> str:
    """Canonical text of a value as written (never a class's ``repr``, which may change)."""
    kind = type(value)
    if kind is str:
        return repr(value)
    if value is None or kind is bool:
        return str(value)
    if kind is Decimal:
        return f"#{value!s}"
    if kind is datetime.date:
        return f"@{value.isoformat()}"
    if isinstance(value, data.Amount):
        return f"${value.number!s} {value.currency}"
    if isinstance(value, data.Cost):
        return f"{{{value.number!s} {value.currency} {value.date} {value.label!r}}}"
    if isinstance(value, enum.Enum):
        return f"%{value.name}"
    if isinstance(value, frozenset | set):
        return "{" + ",".join(sorted(_value_text(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        if hasattr(value, "dtype") and hasattr(
            value, "value"
        ):  # a custom directive's value
            tag = "account:" if value.dtype == account.TYPE else ""
            return tag + _value_text(value.value)
        return "[" + ",".join(_value_text(v) for v in value) + "]"
    return repr(value)


def _document_path(filename: str, meta: dict[str, Any]) -> str:
    """A document's path relative to the file that names it (stable if the books move)."""
    source = meta.get("filename", "")
    if os.path.isabs(filename) and os.path.isabs(source):
        return os.path.relpath(filename, os.path.dirname(source))
    return filename


def entry_digest(entry: data.Directive) -> str:
    """A 16-hex-digit digest of what ``entry`` says, independent of where it is written.

    Covers the type, date, flag, payee, narration, tags, links, metadata and, for each
    posting, its account, units, cost, price, flag and metadata — exactly as written
    (``10000 JPY`` and ``10000.0 JPY`` differ). ``filename``, ``lineno`` and ``__``-keys
    are left out, so editing other lines (which moves this one) changes nothing.
    """
    if type(entry) is data.Transaction:
        parts = [
            "Transaction",
            entry.date.isoformat(),
            entry.flag or "",
            repr(entry.payee),
            repr(entry.narration),
            ",".join(sorted(entry.tags)) if entry.tags else "",
            ",".join(sorted(entry.links)) if entry.links else "",
            _meta_text(entry.meta),
        ]
        append = parts.append
        for posting in entry.postings:
            units, cost, price, meta = (
                posting.units,
                posting.cost,
                posting.price,
                posting.meta,
            )
            if (
                cost is None
                and price is None
                and posting.flag is None
                and (
                    not meta
                    or (len(meta) == 2 and "lineno" in meta and "filename" in meta)
                )
            ):  # the common posting, kept cheap (two fields: never equal to the long form)
                append(f"{posting.account}\x1f{units.number!s} {units.currency}")
            else:
                append(
                    f"{posting.account}\x1f{units.number!s} {units.currency}"
                    f"\x1f{_value_text(cost)}\x1f{_amount_text(price)}\x1f{posting.flag}"
                    f"\x1f{_meta_text(meta)}"
                )
    else:
        parts = [type(entry).__name__, entry.date.isoformat(), _meta_text(entry.meta)]
        for name, value in zip(entry._fields[2:], entry[2:], strict=True):
            if name == "diff_amount":  # set by Beancount's balance check, not written
                continue
            if name == "filename" and type(entry) is data.Document:
                value = _document_path(value, entry.meta)
            parts.append(_value_text(value))
    return _blake2b("\x1e".join(parts).encode("utf-8"), digest_size=8).hexdigest()


def _entry_date(entry: data.Directive) -> datetime.date:
    day: datetime.date = entry.date
    return day


def year_entries(
    entries: Sequence[data.Directive], years: Iterable[FiscalYear]
) -> dict[FiscalYear, list[data.Directive]]:
    """The user's entries dated in each of ``years`` (``entries`` sorted by date).

    Entries dated before the establishment belong to the first 年度 (as in
    :meth:`FiscalYear.of`), since they are part of its closing figures. Only the entries
    of those years are looked at (found by bisection).
    """
    found: dict[FiscalYear, list[data.Directive]] = {}
    for year in years:
        start = year.start if year.previous() is not None else datetime.date.min
        low = bisect.bisect_left(entries, start, key=_entry_date)
        high = bisect.bisect_right(entries, year.end, lo=low, key=_entry_date)
        found[year] = [entry for entry in entries[low:high] if is_user_entry(entry)]
    return found


def digest_lines(entries: Iterable[data.Directive]) -> list[str]:
    """``DATE DIGEST`` for each entry, sorted: the ``entries`` list of a settlement."""
    return sorted(
        f"{entry.date.isoformat()} {entry_digest(entry)}" for entry in entries
    )


def fingerprint(lines: Iterable[str]) -> str:
    """The SHA-256 (hex) of a settlement's ``entries`` list."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# --- The figures a settlement approves ------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """Sums of every posting (weight, in JPY) up to and including a date, by account type."""

    assets: Decimal = Decimal(0)
    liabilities: Decimal = Decimal(0)
    equity: Decimal = Decimal(0)
    income: Decimal = Decimal(0)
    expenses: Decimal = Decimal(0)

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.assets + other.assets,
            self.liabilities + other.liabilities,
            self.equity + other.equity,
            self.income + other.income,
            self.expenses + other.expenses,
        )

    @property
    def net_assets(self) -> Decimal:
        """正味財産 = 資産 − 負債 = minus the sum of equity, income and expenses."""
        return -(self.equity + self.income + self.expenses)

    @property
    def total_assets(self) -> Decimal:
        """資産合計 (positive)."""
        return self.assets

    @property
    def total_liabilities(self) -> Decimal:
        """負債合計 (positive: liabilities are credit balances in Beancount)."""
        return -self.liabilities


def totals_at(
    entries: Iterable[data.Directive],
    options_map: dict[str, Any],
    ends: Iterable[datetime.date],
    currency: str = "JPY",
    *,
    net_only: bool = False,
) -> dict[datetime.date, Totals]:
    """Cumulative :class:`Totals` at the end of each day in ``ends`` (one pass, sorted entries).

    With ``net_only``, assets and liabilities are not summed (they stay 0): the net assets
    are minus the sum of equity, income and expenses.
    """
    wanted = sorted(set(ends))
    if not wanted:
        return {}
    fields = {
        options_map.get("name_equity", "Equity"): 2,
        options_map.get("name_income", "Income"): 3,
        options_map.get("name_expenses", "Expenses"): 4,
    }
    if not net_only:
        fields[options_map.get("name_assets", "Assets")] = 0
        fields[options_map.get("name_liabilities", "Liabilities")] = 1
    indices: dict[str, int] = {}
    sums = [Decimal(0)] * 5
    result: dict[datetime.date, Totals] = {}
    pending = iter(wanted)
    end: datetime.date | None = next(pending)
    for entry in entries:
        if type(entry) is not data.Transaction:
            continue
        while end is not None and entry.date > end:
            result[end] = Totals(*sums)
            end = next(pending, None)
        if end is None:
            break
        for posting in entry.postings:
            account = posting.account
            index = indices.get(account, -2)
            if index == -2:
                index = indices[account] = fields.get(account.partition(":")[0], -1)
            if index < 0:
                continue
            units, cost, price = posting.units, posting.cost, posting.price
            if cost is not None and cost.number is not None:
                number, unit = units.number * cost.number, cost.currency
            elif price is not None and price.number is not None:
                number, unit = units.number * price.number, price.currency
            else:
                number, unit = units.number, units.currency
            if unit == currency and number is not None:
                sums[index] += number
    while end is not None:
        result[end] = Totals(*sums)
        end = next(pending, None)
    return result


def yen(amount: Decimal | int) -> str:
    """``6,543,210円``; negatives as ``▲1,000円`` (Japanese convention)."""
    value = int(amount)
    return f"▲{-value:,}円" if value < 0 else f"{value:,}円"


# --- Closing a year (connect-books close-year) ----------------------------------------------

#: Roles of the accounts whose year-end balance must be asserted (cash, deposits, funds).
ASSERTED_ROLES = ("cash", "bank", "fund-asset")
_BODY_FORBIDDEN = frozenset('"\\')


class ClosingRefused(Exception):
    """The year cannot be settled now; ``str()`` says why, in Japanese."""


@dataclass(frozen=True)
class Closing:
    """A settlement ready to be written: the figures it approves and the entries it locks."""

    year: FiscalYear
    approved: datetime.date
    body: str
    audited: datetime.date | None
    totals: Totals
    lines: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        """The digest of the ``entries`` list."""
        return fingerprint(self.lines)

    def directive(self) -> str:
        """The ``settlement`` directive, as written into ``settlements.beancount``."""
        net = format(self.totals.net_assets, "f")
        head = [
            f"; {self.year.label}の決算 ({self.body}承認)。connect-books close-year が記録しました。"
            "書き換えないでください。",
            f'{self.approved.isoformat()} custom "{SETTLEMENT}" {self.year.year} "{self.body}" {net} JPY',
        ]
        if self.audited is not None:
            head.append(f"  audited: {self.audited.isoformat()}")
        head.append(f'  fingerprint: "{self.fingerprint}"')
        for start in range(0, max(len(self.lines), 1), CHUNK_LINES):
            key = "entries" if start == 0 else f"entries-{start // CHUNK_LINES + 1}"
            chunk = "\n".join(self.lines[start : start + CHUNK_LINES])
            head.append(f'  {key}: "{chunk}"')
        return "\n".join(head) + "\n"


def plan_closing(
    entries: list[data.Directive],
    errors: list[Any],
    options_map: dict[str, Any],
    year: FiscalYear,
    *,
    approved: datetime.date,
    body: str = "総会",
    audited: datetime.date | None = None,
    today: datetime.date,
    base: Path | None = None,
) -> Closing:
    """Check that ``year`` can be settled, and compute what its settlement records.

    Raises:
      ClosingRefused: the year has not ended, the books have errors, a year-end balance is
        missing, the year or the one before is not in the state required, or a date is off.
        Errors in the books are listed as ``file:line: message`` (relative to ``base``).
    """
    from connect_books.chart import Chart

    end = year.end.isoformat()
    if today <= year.end:
        raise ClosingRefused(
            f"{year.label}はまだ終わっていません (期末 {end})。決算は年度が終わってから記録します。"
        )
    if not body or _BODY_FORBIDDEN & set(body) or any(c.isspace() for c in body):
        raise ClosingRefused(
            f"承認した機関の名前 '{body}' に空白や \" \\ は使えません。"
        )
    if not year.end < approved <= today:
        raise ClosingRefused(
            f"総会承認日 {approved.isoformat()} は期末 ({end}) より後で、今日"
            f" ({today.isoformat()}) までの日付にしてください。"
        )
    if audited is not None and not year.end < audited <= approved:
        raise ClosingRefused(
            f"監査日 {audited.isoformat()} は期末 ({end}) より後で、総会承認日"
            f" ({approved.isoformat()}) までの日付にしてください。"
        )
    settled, _ = read_settlements(entries)
    if year in settled:
        done = settled[year]
        raise ClosingRefused(
            f"{year.label}は決算済みです ({done.date.isoformat()} {done.body}承認)。"
            f"訂正は{year.next().label}の修正仕訳で行ってください。"
        )
    previous = year.previous()
    if previous is not None and previous not in settled:
        raise ClosingRefused(
            f"前年度 ({previous.label}) の決算がまだ記録されていません。"
            f"先に connect-books close-year {previous.year} を実行してください。"
        )
    if errors:
        from connect_books.books import format_error

        raise ClosingRefused(
            f"帳簿にエラーが{len(errors)}件あります。直してから決算してください:\n"
            + "\n".join(f"  {format_error(error, base)}" for error in errors)
        )
    asserted = {
        e.account
        for e in entries
        if type(e) is data.Balance and e.date == year.end_exclusive
    }
    missing = [
        info.name
        for info in Chart.from_entries(entries).with_role(*ASSERTED_ROLES)
        if info.opened <= year.end
        and (info.closed is None or info.closed > year.end)
        and info.name not in asserted
    ]
    if missing:
        raise ClosingRefused(
            f"期末 ({end}) の残高の確認がない口座があります。通帳・現金の残高を"
            f" {year.end_exclusive.isoformat()} 付の balance で書いてください"
            " (balance はその日の始まりの残高です):\n"
            + "\n".join(
                f"  {year.end_exclusive.isoformat()} balance {name}  ○○○ JPY"
                for name in missing
            )
        )
    lines = digest_lines(year_entries(entries, [year])[year])
    totals = totals_at(entries, options_map, [year.end])[year.end]
    return Closing(year, approved, body, audited, totals, tuple(lines))
