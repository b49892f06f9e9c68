"""The roster: member organisations (第5条), supporters (第6条) and the dues rate (第7条).

All of it is data in the books (``ledger/members.beancount``); this module is the one
reader of that data, used by the plugins, the reports and the CLI alike::

    2025-06-28 custom "member" "SCC-TOKYO" "生活クラブ生活協同組合・東京"
      group: "生活クラブ生協"
      steering: TRUE
    2027-03-31 custom "member-leave" "SCC-TOKYO"
    2025-06-28 custom "dues-rate" 10000 JPY
      article: "附則2"
    2025-06-28 custom "dues-adjust" "TAGAYASU" 5000 JPY
      reason: "運営委員会決定 UI-2025-02"
    2025-07-01 custom "supporter" "S0001"
      kind: "individual"

A member joins on the date of its ``member`` directive and leaves on the date of its
``member-leave`` directive. The dues rate in force on a 年度's first day is due from
every member on the roll at any time in that 年度 (the short first year included),
unless a ``dues-adjust`` dated in that 年度 sets the amount due from one member.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from connect_books.errors import BooksError, did_you_mean, suggest
from connect_books.fiscal import FiscalYear
from connect_books.money import JPY, ZERO

MEMBER = "member"
MEMBER_LEAVE = "member-leave"
SUPPORTER = "supporter"
DUES_RATE = "dues-rate"
DUES_ADJUST = "dues-adjust"
ROSTER_TYPES = frozenset({MEMBER, MEMBER_LEAVE, SUPPORTER, DUES_RATE, DUES_ADJUST})
SUPPORTER_KINDS = ("individual", "organisation")


class RosterError(BooksError):
    """A malformed roster directive."""


@dataclass(frozen=True)
class Member:
    """A member organisation (会員団体)."""

    id: str
    name: str
    group: str
    steering: bool
    joined: datetime.date
    left: datetime.date | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def active_on(self, day: datetime.date) -> bool:
        """Whether the organisation is a member on ``day``."""
        return self.joined <= day and (self.left is None or day < self.left)

    def active_in(self, year: FiscalYear) -> bool:
        """Whether the organisation is a member on any day of ``year``."""
        return self.joined <= year.end and (self.left is None or self.left > year.start)


@dataclass(frozen=True)
class Supporter:
    """A supporter (サポーター), known by ID only: no personal data in the books."""

    id: str
    kind: str
    since: datetime.date


@dataclass(frozen=True)
class Roster:
    """Members, supporters and dated dues rates, as recorded in the books."""

    members: dict[str, Member]
    supporters: dict[str, Supporter]
    rates: tuple[tuple[datetime.date, Decimal], ...]
    adjustments: dict[tuple[str, FiscalYear], Decimal]

    @classmethod
    def from_entries(
        cls, entries: Iterable[data.Directive]
    ) -> tuple[Roster, list[BooksError]]:
        """Read the roster from the books; malformed directives become errors."""
        errors: list[BooksError] = []
        members: dict[str, Member] = {}
        leaves: list[data.Custom] = []
        supporters: dict[str, Supporter] = {}
        rates: list[tuple[datetime.date, Decimal]] = []
        adjustments: dict[tuple[str, FiscalYear], Decimal] = {}
        adjust_entries: list[data.Custom] = []

        def bad(entry: data.Custom, message: str) -> None:
            errors.append(RosterError(entry.meta, message, entry))

        for entry in entries:
            if not isinstance(entry, data.Custom) or entry.type not in ROSTER_TYPES:
                continue
            values = [v.value for v in entry.values]
            if entry.type == MEMBER:
                if len(values) != 2 or not all(isinstance(v, str) for v in values):
                    bad(
                        entry,
                        '会員の書式が違います: custom "member" "ID" "団体名" と書いてください。',
                    )
                    continue
                member_id, name = values
                if member_id in members:
                    bad(entry, f"会員ID '{member_id}' が二重に登録されています。")
                    continue
                members[member_id] = Member(
                    id=member_id,
                    name=name,
                    group=str(entry.meta.get("group", "")),
                    steering=entry.meta.get("steering") is True,
                    joined=entry.date,
                    meta=entry.meta,
                )
            elif entry.type == MEMBER_LEAVE:
                leaves.append(entry)
            elif entry.type == SUPPORTER:
                kind = entry.meta.get("kind", "individual")
                if len(values) != 1 or not isinstance(values[0], str):
                    bad(
                        entry,
                        'サポーターの書式が違います: custom "supporter" "ID" と書いてください (氏名は書きません)。',
                    )
                    continue
                if kind not in SUPPORTER_KINDS:
                    bad(
                        entry,
                        f"サポーターの kind は individual か organisation です ('{kind}')。",
                    )
                    continue
                supporters[values[0]] = Supporter(values[0], str(kind), entry.date)
            elif entry.type == DUES_RATE:
                amount = _jpy(values)
                if amount is None:
                    bad(
                        entry,
                        '会費額の書式が違います: custom "dues-rate" 10000 JPY と書いてください。',
                    )
                    continue
                if amount <= 0:
                    bad(
                        entry,
                        f"会費額 {amount} JPY は使えません。年会費は 1 円以上の額で書いてください"
                        " (定款第7条・附則2。改定は第30条の手続きによります)。",
                    )
                    continue
                rates.append((entry.date, amount))
            else:
                adjust_entries.append(entry)

        for entry in leaves:
            values = [v.value for v in entry.values]
            member_id = values[0] if values else None
            if not isinstance(member_id, str) or member_id not in members:
                bad(entry, f"退会の記録にある会員ID '{member_id}' は名簿にありません。")
                continue
            members[member_id] = _replace_left(members[member_id], entry.date)

        for entry in adjust_entries:
            values = [v.value for v in entry.values]
            amount = _jpy(values[1:]) if values else None
            if not values or not isinstance(values[0], str) or amount is None:
                bad(
                    entry,
                    '会費調整の書式が違います: custom "dues-adjust" "会員ID" 5000 JPY と書いてください。',
                )
                continue
            if amount < 0:
                bad(
                    entry,
                    f"会費調整の額 {amount} JPY は使えません。その年度の会費額を 0 円以上で書いてください"
                    " (免除は 0 JPY)。",
                )
                continue
            if values[0] not in members:
                bad(entry, f"会費調整の会員ID '{values[0]}' は名簿にありません。")
                continue
            adjustments[(values[0], FiscalYear.of(entry.date))] = amount

        rates.sort()
        return cls(members, supporters, tuple(rates), adjustments), errors

    def rate_on(self, day: datetime.date) -> Decimal:
        """The annual dues rate in force on ``day`` (0 before any rate is recorded)."""
        rate = ZERO
        for start, amount in self.rates:
            if start <= day:
                rate = amount
        return rate

    def due(self, member_id: str, year: FiscalYear) -> Decimal:
        """Dues due from a member for a 年度 (0 if it was not a member that year)."""
        member = self.members.get(member_id)
        if member is None or not member.active_in(year):
            return ZERO
        if (member_id, year) in self.adjustments:
            return self.adjustments[(member_id, year)]
        return self.rate_on(max(year.start, member.joined))

    def active(self, year: FiscalYear) -> list[Member]:
        """Members on the roll at any time in ``year``, in roster order."""
        return [m for m in self.members.values() if m.active_in(year)]

    def steering_group(self) -> list[Member]:
        """The 幹事会 members (第19条2)."""
        return [m for m in self.members.values() if m.steering]

    def suggest(self, unknown: str) -> list[str]:
        """The member IDs closest to ``unknown`` (for 'did you mean' messages)."""
        return suggest(unknown, self.members)

    def unknown_member_message(self, unknown: str) -> str:
        """The Japanese message for an unknown member ID, with suggestions."""
        tail = did_you_mean(unknown, self.members)
        return f"会員ID '{unknown}' は名簿 (members.beancount) にありません。{tail}"


def _jpy(values: list[Any]) -> Decimal | None:
    if len(values) != 1:
        return None
    value = values[0]
    if isinstance(value, Amount) and value.currency == JPY and value.number is not None:
        return value.number
    return None


def _replace_left(member: Member, left: datetime.date) -> Member:
    return Member(
        member.id,
        member.name,
        member.group,
        member.steering,
        member.joined,
        left,
        member.meta,
    )
