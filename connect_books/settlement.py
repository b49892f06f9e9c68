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
from functools import cache, cached_property
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
#: Where an entry is written: never part of its digest (nor are ``__`` keys).
_POSITION = frozenset(("filename", "lineno"))
#: The metadata Beancount gives every parsed transaction: nothing of it is digested.
_TRANSACTION_ONLY = _POSITION | {"__tolerances__"}


@cache
def _is_user_file(filename: str) -> bool:
    """Whether entries from ``filename`` are the user's (see :func:`is_user_entry`)."""
    return filename == STRING_SOURCE or (
        not filename.startswith("<") and filename.endswith(".beancount")
    )


def is_user_entry(entry: data.Directive) -> bool:
    """Whether ``entry`` is a directive the user wrote (and a settlement locks).

    Excluded: synthetic entries (a filename like ``<pad>`` or one not ending in
    ``.beancount``, e.g. a discovered document), the settlement directives themselves,
    and the padding transactions Beancount's ``pad`` inserts.
    """
    meta = entry.meta
    filename = meta.get("filename") if meta else None
    if not isinstance(filename, str) or not _is_user_file(filename):
        return False
    if type(entry) is data.Transaction:
        return entry.flag != flags.FLAG_PADDING or not is_padding(entry)
    if type(entry) is data.Custom:
        return bool(entry.type != SETTLEMENT)
    return True


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
    keys = []
    for key in meta:
        if key not in _POSITION and key[:2] != "__":
            keys.append(key)
    if not keys:
        return ""
    if len(keys) == 1:  # (the usual case, without a join)
        key = keys[0]
        return f"{key}={_value_text(meta[key])}"
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


class _Digester:
    """Digests entries, remembering the text of each date (a year has a few hundred).

    The canonical text of an entry is its fields joined by ``\\x1e``: for a transaction
    ``Transaction``, date, flag, ``repr`` of payee and narration, sorted tags, sorted
    links, metadata (:func:`_meta_text`), then one field per posting:
    ``account\\x1fUNITS`` for a plain posting (no cost, price, flag or metadata besides
    its position), else ``account\\x1fUNITS\\x1fcost\\x1fprice\\x1fflag\\x1fmetadata``.
    For any other directive: its type, date, metadata, then each further field
    (:func:`_value_text`).
    """

    def __init__(self) -> None:
        self.days: dict[datetime.date, str] = {}

    def digest(self, entry: data.Directive) -> str:
        """The digest of ``entry`` (see :func:`entry_digest`)."""
        return self.line(entry).partition(" ")[2]

    def line(self, entry: data.Directive) -> str:
        """``DATE DIGEST`` of ``entry``: a line of a settlement's ``entries`` list."""
        day = entry.date
        day_text = self.days.get(day)
        if day_text is None:
            day_text = self.days[day] = day.isoformat()
        if type(entry) is data.Transaction:
            text = _transaction_text(entry, day_text)
        else:
            text = _directive_text(entry, day_text)
        digest = _blake2b(text.encode(), digest_size=8).hexdigest()
        return f"{day_text} {digest}"


def _transaction_text(entry: data.Transaction, day: str) -> str:
    meta, tags, links = entry.meta, entry.tags, entry.links
    if not meta or _TRANSACTION_ONLY.issuperset(meta):
        meta_text = ""  # (the usual case, checked cheaply)
    else:
        meta_text = _meta_text(meta)
    text = (
        f"Transaction\x1e{day}\x1e{entry.flag or ''}"
        f"\x1e{entry.payee!r}\x1e{entry.narration!r}"
        f"\x1e{','.join(sorted(tags)) if tags else ''}"
        f"\x1e{','.join(sorted(links)) if links else ''}"
        f"\x1e{meta_text}"
    )
    for account_name, units, cost, price, flag, posting_meta in entry.postings:
        if (
            cost is None
            and price is None
            and flag is None
            and (
                not posting_meta
                or (
                    len(posting_meta) == 2
                    and "lineno" in posting_meta
                    and "filename" in posting_meta
                )
            )
        ):  # the common posting, kept cheap (two fields: never equal to the long form)
            text += f"\x1e{account_name}\x1f{units.number!s} {units.currency}"
        else:
            text += (
                f"\x1e{account_name}\x1f{units.number!s} {units.currency}"
                f"\x1f{_value_text(cost)}\x1f{_amount_text(price)}\x1f{flag}"
                f"\x1f{_meta_text(posting_meta)}"
            )
    return text


def _directive_text(entry: data.Directive, day: str) -> str:
    parts = [type(entry).__name__, day, _meta_text(entry.meta)]
    for name, value in zip(entry._fields[2:], entry[2:], strict=True):
        if name == "diff_amount":  # set by Beancount's balance check, not written
            continue
        if name == "filename" and type(entry) is data.Document:
            value = _document_path(value, entry.meta)
        parts.append(_value_text(value))
    return "\x1e".join(parts)


def entry_digest(entry: data.Directive) -> str:
    """A 16-hex-digit digest of what ``entry`` says, independent of where it is written.

    Covers the type, date, flag, payee, narration, tags, links, metadata and, for each
    posting, its account, units, cost, price, flag and metadata — exactly as written
    (``10000 JPY`` and ``10000.0 JPY`` differ). ``filename``, ``lineno`` and ``__``-keys
    are left out, so editing other lines (which moves this one) changes nothing.
    """
    return _Digester().digest(entry)


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


class _Sums:
    """Running sums of posting weights in one currency, by account type."""

    def __init__(
        self, options_map: dict[str, Any], currency: str, *, net_only: bool
    ) -> None:
        self.fields = {
            options_map.get("name_equity", "Equity"): 2,
            options_map.get("name_income", "Income"): 3,
            options_map.get("name_expenses", "Expenses"): 4,
        }
        if not net_only:
            self.fields[options_map.get("name_assets", "Assets")] = 0
            self.fields[options_map.get("name_liabilities", "Liabilities")] = 1
        self.currency = currency
        self.indices: dict[str, int] = {}
        self.sums = [Decimal(0)] * 5

    def add(self, postings: Iterable[data.Posting]) -> None:
        """Add the weights of a transaction's postings."""
        indices, sums, currency = self.indices, self.sums, self.currency
        for account_name, units, cost, price, _, _ in postings:
            index = indices.get(account_name)
            if index is None:
                index = indices[account_name] = self.fields.get(
                    account_name.partition(":")[0], -1
                )
            if index < 0:
                continue
            if cost is not None and cost.number is not None:
                number, unit = units.number * cost.number, cost.currency
            elif price is not None and price.number is not None:
                number, unit = units.number * price.number, price.currency
            else:
                number, unit = units.number, units.currency
            if unit == currency and number is not None:
                sums[index] += number

    def totals(self) -> Totals:
        """The sums so far."""
        return Totals(*self.sums)


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
    sums = _Sums(options_map, currency, net_only=net_only)
    result: dict[datetime.date, Totals] = {}
    pending = iter(wanted)
    end: datetime.date | None = next(pending)
    for entry in entries:
        if type(entry) is not data.Transaction:
            continue
        while end is not None and entry.date > end:
            result[end] = sums.totals()
            end = next(pending, None)
        if end is None:
            break
        sums.add(entry.postings)
    while end is not None:
        result[end] = sums.totals()
        end = next(pending, None)
    return result


@dataclass(frozen=True)
class YearRecord:
    """What a settlement of one 年度 locks and approves, as the books say now."""

    #: The user's entries dated in the 年度 (:func:`is_user_entry`), in order.
    entries: list[data.Directive]
    #: Their ``DATE DIGEST`` lines, in the same order (sorted: the ``entries`` list).
    lines: list[str]
    #: The totals at the 年度's end (in JPY).
    totals: Totals


def _entry_date(entry: data.Directive) -> datetime.date:
    day: datetime.date = entry.date
    return day


def year_records(
    entries: Sequence[data.Directive],
    years: Iterable[FiscalYear],
    options_map: dict[str, Any],
    *,
    net_only: bool = False,
) -> dict[FiscalYear, YearRecord]:
    """The :class:`YearRecord` of each of ``years`` (``entries`` sorted by date).

    Entries dated before the establishment belong to the first 年度 (as in
    :meth:`FiscalYear.of`), since they are part of its closing figures. One pass over
    the entries up to the last year's end, each looked at once for both its digest and
    the totals; ``net_only`` as in :func:`totals_at`.
    """
    digester = _Digester()
    sums = _Sums(options_map, "JPY", net_only=net_only)
    found: dict[FiscalYear, YearRecord] = {}
    done = 0  # entries[:done] are summed
    for year in sorted(set(years)):
        start = year.start if year.previous() is not None else datetime.date.min
        low = bisect.bisect_left(entries, start, lo=done, key=_entry_date)
        high = bisect.bisect_right(entries, year.end, lo=low, key=_entry_date)
        for entry in entries[done:low]:  # between two of the years: only summed
            if type(entry) is data.Transaction:
                sums.add(entry.postings)
        mine: list[data.Directive] = []
        lines: list[str] = []
        for entry in entries[low:high]:
            if type(entry) is data.Transaction:
                sums.add(entry.postings)
            if is_user_entry(entry):
                mine.append(entry)
                lines.append(digester.line(entry))
        found[year] = YearRecord(mine, lines, sums.totals())
        done = high
    return found


def yen(amount: Decimal | int) -> str:
    """``6,543,210円``; negatives as ``▲1,000円`` (Japanese convention)."""
    value = int(amount)
    return f"▲{-value:,}円" if value < 0 else f"{value:,}円"


# --- Closing a year (connect-books close-year) ----------------------------------------------

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
    from connect_books.chart import CASH_ROLES, Chart

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
        for info in Chart.from_entries(entries).with_role(*CASH_ROLES)
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
    record = year_records(entries, [year], options_map)[year]
    return Closing(
        year, approved, body, audited, record.totals, tuple(sorted(record.lines))
    )
