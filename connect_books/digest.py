"""What a settlement records about each entry: its digest, and the fingerprint of the list.

A settlement (:mod:`connect_books.settlement`) lists ``DATE DIGEST`` for every entry the
user wrote in the 年度 (:func:`is_user_entry`); the settlement plugin compares the books
with that list on every load. The digest covers what an entry says, never where it is
written, so moving lines changes nothing, and editing a settled entry is found at once.

The format is pinned by the tests: a change would unlock (or break) every recorded
settlement, such as the one in ``ledger/settlements.beancount``.
"""

from __future__ import annotations

import bisect
import datetime
import enum
import hashlib
import os
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from beancount.core import account, data, flags
from beancount.core.amount import Amount
from beancount.core.position import Cost

from connect_books.balances import RunningTotals, Totals
from connect_books.beancompat import Location, is_padding, pad_locations
from connect_books.fiscal import FiscalYear
from connect_books.settlement import SETTLEMENT

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
    return filename == STRING_SOURCE or not filename.startswith("<")


def is_user_entry(entry: data.Directive, pads: Container[Location]) -> bool:
    """Whether ``entry`` is a directive the user wrote (and a settlement locks).

    Every entry read from a file counts, whatever the file's name (an ``include`` of
    ``extra.bean`` is as much the books as ``2025.beancount``). Excluded: synthetic entries
    (a filename like ``<connect_books.budget>``), the settlement directives themselves,
    and the padding transactions Beancount's ``pad`` inserts for the ``pads`` (the
    :func:`~connect_books.beancompat.pad_locations` of the books).
    """
    meta = entry.meta
    filename = meta.get("filename") if meta else None
    if not isinstance(filename, str) or not _is_user_file(filename):
        return False
    if type(entry) is data.Transaction:
        return entry.flag != flags.FLAG_PADDING or not is_padding(entry, pads)
    if type(entry) is data.Custom:
        return bool(entry.type != SETTLEMENT)
    return True


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


def _amount_text(amount: Amount | None) -> str:
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
    if isinstance(value, Amount):
        return f"${value.number!s} {value.currency}"
    if isinstance(value, Cost):
        return f"{{{value.number!s} {value.currency} {value.date} {value.label!r}}}"
    if isinstance(value, enum.Enum):
        return f"%{value.name}"
    if isinstance(value, frozenset | set):
        return "{" + ",".join(sorted(_value_text(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        if hasattr(value, "dtype") and hasattr(value, "value"):
            # a custom directive's value
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


class Digester:
    """Digests entries, remembering the text of each date (a year has a few hundred).

    The canonical text of an entry is its fields joined by ``\\x1e``: for a transaction
    ``Transaction``, date, flag, ``repr`` of payee and narration, sorted tags, sorted
    links, metadata (:func:`_meta_text`), then one field per posting:
    ``account\\x1fUNITS`` for a plain posting (no cost, price, flag or metadata besides
    its position), else ``account\\x1fUNITS\\x1fcost\\x1fprice\\x1fflag\\x1fmetadata``.
    For any other directive: its type, date, metadata, then each further field
    (:func:`_value_text`). The digest is the first 8 bytes of its BLAKE2b, in hex.
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
        units_text = "-" if units is None else f"{units.number!s} {units.currency}"
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
            text += f"\x1e{account_name}\x1f{units_text}"
        else:
            text += (
                f"\x1e{account_name}\x1f{units_text}"
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
            value = _document_path(str(value), entry.meta)
        parts.append(_value_text(value))
    return "\x1e".join(parts)


def entry_digest(entry: data.Directive) -> str:
    """A 16-hex-digit digest of what ``entry`` says, independent of where it is written.

    Covers the type, date, flag, payee, narration, tags, links, metadata and, for each
    posting, its account, units, cost, price, flag and metadata — exactly as written
    (``10000 JPY`` and ``10000.0 JPY`` differ). ``filename``, ``lineno`` and ``__``-keys
    are left out, so editing other lines (which moves this one) changes nothing.
    """
    return Digester().digest(entry)


def fingerprint(lines: Iterable[str]) -> str:
    """The SHA-256 (hex) of a settlement's ``entries`` list."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# --- What a settlement of a 年度 locks and approves ------------------------------------------


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
    the totals; ``net_only`` as in :class:`~connect_books.balances.RunningTotals`.
    """
    digester = Digester()
    sums = RunningTotals(options_map, net_only=net_only)
    found: dict[FiscalYear, YearRecord] = {}
    done = 0  # entries[:done] are summed
    for year in sorted(set(years)):
        start = year.start if year.previous() is not None else datetime.date.min
        low = bisect.bisect_left(entries, start, lo=done, key=_entry_date)
        high = bisect.bisect_right(entries, year.end, lo=low, key=_entry_date)
        for entry in entries[done:low]:  # between two of the years: only summed
            if type(entry) is data.Transaction:
                sums.add(entry.postings)
        in_year = entries[low:high]
        pads = pad_locations(in_year)  # a pad and its padding share a date
        mine: list[data.Directive] = []
        lines: list[str] = []
        for entry in in_year:
            if type(entry) is data.Transaction:
                sums.add(entry.postings)
            if is_user_entry(entry, pads):
                mine.append(entry)
                lines.append(digester.line(entry))
        found[year] = YearRecord(mine, lines, sums.totals())
        done = high
    return found
