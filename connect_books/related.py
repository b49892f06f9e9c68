"""Related parties (役員及び関連当事者): the roster and the transactions with them.

The one reader of the ``related-party`` roster and the ``related:`` metadata::

    2025-06-28 custom "related-party" "SETAGAYA" "生活クラブ運動グループ世田谷地域協議会"
      relation: "会員団体 (生活クラブ生活協同組合・東京) の地域協議会"
    2026-11-05 * "生活クラブ運動グループ世田谷地域協議会" "まちづくり積立金助成金"
      related: "SETAGAYA"            ; optional when the payee is the party's name
      ...

A transaction is with a related party when it says ``related: "ID"``, or when its payee is
the party's name exactly and it is dated on or after the party's directive (a party named
later does not change a settled 年度's note). The note 役員及び関連当事者との取引 lists
each such transaction's income and costs (a grant paid to a member's body shows there).
An ID written twice, and a ``related:`` naming no party, are errors (the ``hygiene`` rule).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

from connect_books.accounts import Kind, Roots
from connect_books.errors import BooksError, did_you_mean
from connect_books.money import posting_yen, yen

RELATED_PARTY = "related-party"
KEY = "related"


class RelatedPartyError(BooksError):
    """A malformed ``related-party`` directive or an unknown ``related:`` ID."""


@dataclass(frozen=True)
class RelatedParty:
    """An officer, a member's body or another party the notes must name."""

    id: str
    name: str
    relation: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: The day of its directive: a payee of that name is this party from then on.
    since: datetime.date = datetime.date.min


@dataclass(frozen=True)
class RelatedDeal:
    """One transaction with a related party: what it received and spent (positive yen)."""

    date: datetime.date
    party: str
    narration: str
    income: int
    costs: int
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class RelatedParties:
    """The related-party roster."""

    parties: dict[str, RelatedParty]
    by_name: dict[str, str]

    @classmethod
    def from_entries(
        cls, entries: Iterable[data.Directive]
    ) -> tuple[RelatedParties, list[BooksError]]:
        """Read the roster; malformed directives become errors."""
        parties: dict[str, RelatedParty] = {}
        errors: list[BooksError] = []
        for entry in entries:
            if not isinstance(entry, data.Custom) or entry.type != RELATED_PARTY:
                continue
            values = [v.value for v in entry.values]
            if len(values) != 2 or not all(isinstance(v, str) for v in values):
                errors.append(
                    RelatedPartyError(
                        entry.meta,
                        '関連当事者の書式が違います: custom "related-party" "ID" "名称" と書いてください。',
                        entry,
                    )
                )
                continue
            party_id, name = values
            if party_id in parties:
                first = parties[party_id]
                errors.append(
                    RelatedPartyError(
                        entry.meta,
                        f"関連当事者の ID {party_id} は {first.since} に登録されています"
                        f" ({first.name})。一つの ID は一度だけ登録してください。",
                        entry,
                    )
                )
                continue
            parties[party_id] = RelatedParty(
                party_id,
                name,
                str(entry.meta.get("relation", "")),
                entry.meta,
                entry.date,
            )
        return cls(parties, {p.name: p.id for p in parties.values()}), errors

    def party_of(self, txn: data.Transaction) -> str | None:
        """The party a transaction is with (its ``related:`` ID, else its payee's, from
        the party's directive on)."""
        named = txn.meta.get(KEY)
        if isinstance(named, str):
            return named
        found = self.by_name.get(txn.payee or "")
        if found is None or txn.date < self.parties[found].since:
            return None
        return found

    def deal(self, txn: data.Transaction, roots: Roots) -> RelatedDeal | None:
        """The transaction as a deal with a related party (None when it is not one)."""
        if not self.parties:
            return None
        party = self.party_of(txn)
        if party is None:
            return None
        income = costs = 0
        for posting in txn.postings:
            number = yen(posting_yen(posting))
            if roots.is_(posting.account, Kind.INCOME):
                income -= number
            elif roots.is_(posting.account, Kind.EXPENSES):
                costs += number
        return RelatedDeal(
            txn.date, party, txn.narration or "", income, costs, txn.meta
        )

    def unknown_message(self, party: str) -> str:
        """The Japanese message for a ``related:`` naming no party on the roster."""
        return (
            f"related: '{party}' は関連当事者の一覧 (custom \"related-party\") にありません。"
            f"{did_you_mean(party, list(self.parties))}"
        )
