"""What each file of the books gives the settled years, remembered from one load to the next.

The settlement rule checks every settled 年度 on every load: the digest of each of its
entries against the recorded list, and the net assets at its end against the approved
figure. Digesting is most of the rule's time, and each settled year adds its entries to
it. But what a file gives a 年度 (the ``DATE DIGEST`` lines of its entries dated in it, and
the sums of its transactions by account kind) depends only on:

* the file's bytes and its path (the lines carry no line numbers, but the entries the file
  holds, their dates and what they say come from its text alone);
* the main file (the options: the roots' names, booking) and the code;

provided no posting of the file needs Beancount's running balances to be booked (a cost,
a price, or an amount without its currency: the file is then not *local* and is never
remembered). So a :class:`Memo` keeps, for each local file, its digest of bytes and what it
gives each 年度 (:class:`FileYears`); the next load digests only the files that changed,
and adds up the rest (:meth:`Memo.years`). A settled year that does not match its record
is then checked entry by entry as before (the rule falls back to
:func:`connect_books.digest.year_records`), so errors are named exactly as they were.

The trusted load hands the memo to the rule under :data:`OPTION` in the options (and takes
it out after the rules); ``bean-check`` has none and digests everything. The cache keeps
it beside its entry (:mod:`connect_books.cache`), as JSON, signed like the entry.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from connect_books.balances import KINDS, RunningTotals, Totals
from connect_books.beancompat import is_padding, pad_locations
from connect_books.digest import Digester, is_user_entry
from connect_books.fiscal import FiscalYear
from connect_books.loadsteps import needs_balances

#: The options key under which the trusted load hands the memo to the settlement rule.
OPTION = "connect_books_settled_memo"
#: Sums beyond this are not remembered (so that adding them up in another order is exact).
_LIMIT = Decimal(10) ** 20


def context_of(main_digest: str) -> str:
    """The code and the main file, as a memo's records are kept for them."""
    from connect_books.cachekey import code_version

    return f"{code_version()}:{main_digest}"


def digest_text(text: str) -> str:
    """The digest of a file's text, as the memo keys it."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=32).hexdigest()


@dataclass
class FileYears:
    """What one file gives each 年度 up to ``horizon``: its entries' lines, its sums."""

    #: The last day covered (entries dated after it were not looked at).
    horizon: datetime.date
    lines: dict[int, list[str]] = field(default_factory=dict)
    #: The sums of the file's transactions of each 年度, by kind (:data:`KINDS` order);
    #: never the transactions Beancount's ``pad`` inserts (see :meth:`Memo.years`).
    sums: dict[int, list[Decimal]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """As JSON values (numbers as text)."""
        return {
            "horizon": self.horizon.isoformat(),
            "lines": {str(y): v for y, v in self.lines.items()},
            "sums": {str(y): [str(n) for n in v] for y, v in self.sums.items()},
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> FileYears:
        """Read back :meth:`to_json` (``ValueError``, ``KeyError`` … if malformed)."""
        return cls(
            datetime.date.fromisoformat(str(value["horizon"])),
            {int(y): [str(x) for x in v] for y, v in value["lines"].items()},
            {
                int(y): [Decimal(str(n)) for n in v]
                for y, v in value["sums"].items()
                if len(v) == len(KINDS)
            },
        )


@dataclass
class Memo:
    """The remembered :class:`FileYears` of the books' local files (module docstring)."""

    #: The digest of the main file's text (with the code, what the records hold for).
    main_digest: str
    #: The digest of each file's text as loaded now.
    digests: dict[str, str]
    #: ``path -> (digest of the text it was computed from, what it gives)``.
    records: dict[str, tuple[str, FileYears]] = field(default_factory=dict)
    #: The files known to be local (their records may be kept).
    local: set[str] = field(default_factory=set)
    #: Whether records were added since it was read (it is worth writing).
    changed: bool = False
    #: What was computed in this process, local files or not (kept for this process only:
    #: ``close-year`` digests the year it closes once, for the closing and its check).
    session: dict[str, tuple[str, FileYears]] = field(default_factory=dict)

    def look(self, path: str, parsed: list[data.Directive]) -> None:
        """Note whether the file ``path`` is local, from its parsed entries.

        A file remembered for its text now was local when remembered (only local files
        are); any other is looked at (:func:`needs_balances`).
        """
        found = self.records.get(path)
        if (
            found is not None and found[0] == self.digests.get(path)
        ) or not needs_balances(parsed):
            self.local.add(path)

    def known(self, path: str, until: datetime.date) -> FileYears | None:
        """What ``path`` gives up to ``until``, if remembered for its text as loaded now."""
        digest = self.digests.get(path)
        for place in (self.session, self.records):
            found = place.get(path)
            if found is not None and found[0] == digest and found[1].horizon >= until:
                return found[1]
        return None

    def years(
        self,
        entries: Sequence[data.Directive],
        years: Iterable[FiscalYear],
        options_map: dict[str, Any],
    ) -> dict[FiscalYear, tuple[list[str], Totals]] | None:
        """Each year's sorted ``DATE DIGEST`` lines and the cumulative totals at its end.

        What :func:`connect_books.digest.year_records` gives (its ``lines`` sorted, and
        the totals of every kind), from the remembered files and the others digested now;
        None when it cannot be had this way (a date out of range, an immense sum).

        The totals leave out Beancount's padding, whether ``entries`` hold it or not: the
        settlement rule runs before ``pad`` and adds the padding itself, and
        :func:`connect_books.closing.plan_closing`, which reads loaded books, adds theirs.
        Both share what is digested, so a record means one thing for both.
        """
        wanted = sorted(set(years))
        if not wanted:
            return {}
        last = wanted[-1].end
        high = bisect.bisect_right(entries, last, key=_date)
        fresh: dict[str, list[data.Directive]] = {}
        parts: dict[str, FileYears] = {}
        for entry in entries[:high]:
            name = str(entry.meta.get("filename")) if entry.meta else "?"
            bucket = fresh.get(name)
            if bucket is not None:
                bucket.append(entry)
            elif name not in parts:
                found = self.known(name, last)
                if found is not None:
                    parts[name] = found
                else:
                    fresh[name] = [entry]
        try:
            for name, mine in fresh.items():
                record = parts[name] = _file_years(mine, options_map, last)
                if name in self.digests:
                    self.session[name] = (self.digests[name], record)
                    if name in self.local:
                        self.records[name] = (self.digests[name], record)
                        self.changed = True
        except ValueError:
            return None
        if not all(_small(part) for part in parts.values()):
            return None
        by_year: dict[int, list[Decimal]] = {}
        for part in parts.values():
            for year, numbers in part.sums.items():
                total = by_year.setdefault(year, [Decimal(0)] * len(KINDS))
                for index, number in enumerate(numbers):
                    total[index] += number
        result: dict[FiscalYear, tuple[list[str], Totals]] = {}
        for target in wanted:
            running = [Decimal(0)] * len(KINDS)
            for year, numbers in by_year.items():
                if year <= target.year:
                    for index, number in enumerate(numbers):
                        running[index] += number
            lines = [
                x for part in parts.values() for x in part.lines.get(target.year, ())
            ]
            lines.sort()
            result[target] = (lines, Totals(*running))
        return result

    @property
    def context(self) -> str:
        """What the records hold for: the code and the main file."""
        return context_of(self.main_digest)

    @property
    def all_local(self) -> bool:
        """Whether every file is local (no transaction needs the running balances)."""
        return all(path in self.local for path in self.digests)

    def changing(self, path: str, text: str) -> Memo:
        """The memo for the books once ``path`` holds ``text`` (its records not used)."""
        digests = {**self.digests, path: digest_text(text)}
        local = self.local - {path}
        return Memo(self.main_digest, digests, self.records, local, False, self.session)

    def to_json(self) -> dict[str, Any]:
        """The records as JSON values, for the cache."""
        return {
            "context": self.context,
            "records": {
                path: [digest, record.to_json()]
                for path, (digest, record) in self.records.items()
            },
        }

    @staticmethod
    def records_from_json(
        value: Mapping[str, Any], context: str
    ) -> dict[str, tuple[str, FileYears]]:
        """The records of a stored memo, if it was made for ``context`` (else none)."""
        if value.get("context") != context:
            return {}
        return {
            str(path): (str(digest), FileYears.from_json(record))
            for path, (digest, record) in value["records"].items()
        }


def _date(entry: data.Directive) -> datetime.date:
    day: datetime.date = entry.date
    return day


def _small(record: FileYears) -> bool:
    return all(abs(n) < _LIMIT for sums in record.sums.values() for n in sums)


def _file_years(
    entries: list[data.Directive], options_map: dict[str, Any], horizon: datetime.date
) -> FileYears:
    """What these entries (of one file, sorted, up to ``horizon``) give each 年度.

    Raises:
      ValueError: a date outside the 年度 the books can hold.
    """
    record = FileYears(horizon)
    pads = pad_locations(entries)
    digester = Digester()
    totals: dict[int, RunningTotals] = {}
    years: dict[datetime.date, int] = {}
    for entry in entries:
        day = entry.date
        year = years.get(day)
        if year is None:
            year = years[day] = FiscalYear.of(day).year
        if type(entry) is data.Transaction and not is_padding(entry, pads):
            sums = totals.get(year)
            if sums is None:
                sums = totals[year] = RunningTotals(options_map)
            sums.add(entry.postings)
        if is_user_entry(entry, pads):
            record.lines.setdefault(year, []).append(digester.line(entry))
    for year, sums in totals.items():
        found = sums.totals()
        record.sums[year] = [found.of(kind) for kind in KINDS]
    return record
