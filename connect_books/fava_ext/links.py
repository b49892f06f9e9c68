"""Where a statement line leads in Fava: its account, or the journal of what it sums.

A :class:`~connect_books.reports.table.Row` names what it is made of in its ``key``; this
module reads the key with the books' own readers (the chart, the funds, the roster) and
answers with a Fava page, filtered to the period shown:

* an account (``Expenses:5110-まちづくり支援:5111-委託費``) → that account's page;
* a fund (``基金:inclufund``, ``特定資産:machizukuri``) → its bank account's page;
* a grant decision (``IF-2025-01``) → the journal of the entries naming it (``decision:``);
* a member's dues (``2025年度:SCC-TOKYO``) → the journal of that member's entries;
* an activity (``事業1``) → the journal of that activity's accounts;
* a month (``2025-07``) → Fava's income statement for the month;
* statement metadata (``経常収益:受取会費``, ``事業費:その他経費:委託費``,
  ``収入:会費``) → the one account with that ``section``/``line``/``kind``/``budget-line``
  (its page), or the journal of all of them.

A line without a key, or whose key it cannot read, is linked by its label when the label
names an account (``1110-現金`` in the account books); else it gets no link. Nothing here
computes a figure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from connect_books.accounts import Kind
from connect_books.chart import AccountInfo
from connect_books.reports.index import Index
from connect_books.reports.table import Row

_MEMBER_DUES = re.compile(r"^\d{4}年度:(.+)$")
_ACTIVITY = re.compile(r"^事業([1-9])(?::.*)?$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")
#: Words in keys that name the side of a statement rather than a line.
_SIDES = {
    "収入": Kind.INCOME,
    "収益": Kind.INCOME,
    "支出": Kind.EXPENSES,
    "費用": Kind.EXPENSES,
}
#: Words that head a note's keys (``事業別:その他経費:委託費``, ``引継:Assets:…``).
_NOTES = ("事業別:", "引継:")


def regex(text: str) -> str:
    """``text`` as a regular expression matching itself (as Fava's own filter links)."""
    return _SPECIAL.sub(r"\\\1", text)


@dataclass(frozen=True)
class Link:
    """A Fava page: its Flask endpoint and the URL values (``time`` already set)."""

    endpoint: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Linker:
    """Links for the rows of the statements of one period (Fava's ``time`` filter)."""

    idx: Index
    time: str

    @cached_property
    def _by_tag(self) -> dict[str, set[str]]:
        tags: dict[str, set[str]] = defaultdict(set)
        for info in self.idx.chart.accounts.values():
            for tag in self._tags(info):
                tags[tag].add(info.name)
        return tags

    @cached_property
    def _by_label(self) -> dict[str, str]:
        """Account names by how the books print them: whole, without the root, the leaf."""
        names: dict[str, str] = {}
        leaves: dict[str, set[str]] = defaultdict(set)
        for name in self.idx.chart.accounts:
            names[name] = name
            names[name.partition(":")[2]] = name
            leaves[name.rsplit(":", 1)[-1]].add(name)
        for leaf, owners in leaves.items():  # a leaf is a name only when it is unique
            if len(owners) == 1:
                names.setdefault(leaf, next(iter(owners)))
        return names

    def _tags(self, info: AccountInfo) -> set[str]:
        tags = {info.section, info.line, info.kind, info.budget_line, info.label}
        kind = self.idx.roots.kind(info.name)
        tags.update(side for side, of in _SIDES.items() if of is kind)
        tags.discard("")
        return tags

    def account(self, name: str) -> Link:
        """The account's page."""
        return Link("account", {"name": name, "time": self.time})

    def journal(self, **values: str) -> Link:
        """Fava's journal with the given filters."""
        return Link("report", {"report_name": "journal", "time": self.time, **values})

    def accounts(self, names: set[str]) -> Link | None:
        """The one account's page, or the journal of all of them (None for none)."""
        if not names:
            return None
        if len(names) == 1:
            return self.account(next(iter(names)))
        pattern = "|".join(regex(n) for n in sorted(names))
        return self.journal(account=f"^({pattern})$")

    def of(self, row: Row) -> Link | None:
        """Where ``row`` leads (None when it names nothing in the books)."""
        found = self._by_key(row.key)
        if found is None and row.label in self._by_label:
            return self.account(self._by_label[row.label])
        return found

    def _by_key(self, key: str) -> Link | None:
        for note in _NOTES:
            key = key.removeprefix(note)
        if not key:
            return None
        idx = self.idx
        if idx.chart.get(key) is not None:
            return self.account(key)
        funds = [idx.funds.funds[p] for p in key.split(":") if p in idx.funds.funds]
        if funds:  # 基金:inclufund, 指定:fund:inclufund, 特定資産:machizukuri
            return self.account(funds[0].asset)
        if key in idx.funds.grants:
            return self.journal(filter=f'decision:"^{regex(key)}$"')
        member = _MEMBER_DUES.match(key)
        if member and idx.member(member.group(1)) is not None:
            return self.journal(filter=f'member:"^{regex(member.group(1))}$"')
        activity = _ACTIVITY.match(key)
        if activity:
            number = int(activity.group(1))
            return self.accounts(
                {i.name for i in idx.chart.accounts.values() if i.activity == number}
            )
        if _MONTH.match(key):
            return Link("report", {"report_name": "income_statement", "time": key})
        return self._by_metadata(key)

    def _by_metadata(self, key: str) -> Link | None:
        parts = [p.removesuffix("計") for p in key.split(":")]
        sets = [self._by_tag.get(part) for part in parts]
        if any(found is None for found in sets):
            return None
        names = set.intersection(*(s for s in sets if s is not None))
        return self.accounts(names)
