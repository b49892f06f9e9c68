"""Funds (事業内容4) and the decisions that spend them or move net assets.

The one reader of these directives (syntax in ``ledger/funds.beancount``)::

    2025-06-28 custom "fund" "inclufund" "地域たすけあい福祉基金(インクルファンド)" Assets:1130-普通預金-インクルファンド Equity:3310-インクルファンド
      body: "助成審査委員会"
    2025-10-25 custom "grant-decision" "IF-2025-01" "inclufund" "ワーカーズ・コレクティブ風のたより" 300000 JPY
      body: "助成審査委員会"
    2026-03-14 custom "decision" "UI-2025-04" "運営委員会" "まちづくり積立金への繰入"

A fund's balance is the balance of its asset account. A transaction points at a decision
with the metadata ``decision: "ID"``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from connect_books.errors import BooksError, did_you_mean
from connect_books.money import JPY

FUND = "fund"
GRANT_DECISION = "grant-decision"
DECISION = "decision"
FUND_TYPES = frozenset({FUND, GRANT_DECISION, DECISION})


class FundDirectiveError(BooksError):
    """A malformed fund or decision directive."""


@dataclass(frozen=True)
class Fund:
    """An earmarked fund: its asset account holds the money, its equity account the net assets."""

    id: str
    name: str
    asset: str
    equity: str
    body: str
    restricted: bool
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class GrantDecision:
    """A decision to pay a grant from a fund (決定ID, 決定日, 決定機関, 助成先, 金額)."""

    id: str
    date: datetime.date
    fund: str
    grantee: str
    amount: Decimal
    body: str
    purpose: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Decision:
    """Any other recorded decision (for example a transfer into the まちづくり積立金)."""

    id: str
    date: datetime.date
    body: str
    subject: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Funds:
    """All funds and decisions recorded in the books."""

    funds: dict[str, Fund]
    grants: dict[str, GrantDecision]
    decisions: dict[str, Decision]

    @classmethod
    def from_entries(
        cls, entries: Iterable[data.Directive]
    ) -> tuple[Funds, list[BooksError]]:
        """Read funds and decisions; malformed directives become errors."""
        errors: list[BooksError] = []
        funds: dict[str, Fund] = {}
        grants: dict[str, GrantDecision] = {}
        decisions: dict[str, Decision] = {}

        def bad(entry: data.Custom, message: str) -> None:
            errors.append(FundDirectiveError(entry.meta, message, entry))

        for entry in entries:
            if not isinstance(entry, data.Custom) or entry.type not in FUND_TYPES:
                continue
            values = [v.value for v in entry.values]
            if entry.type == FUND:
                if len(values) != 4 or not all(isinstance(v, str) for v in values):
                    bad(
                        entry,
                        '基金の書式が違います: custom "fund" "ID" "名称" 資産の科目 正味財産の科目 と書いてください。',
                    )
                    continue
                fund_id, name, asset, equity = values
                if fund_id in funds:
                    bad(entry, f"基金ID '{fund_id}' が二重に登録されています。")
                    continue
                funds[fund_id] = Fund(
                    fund_id,
                    name,
                    asset,
                    equity,
                    str(entry.meta.get("body", "")),
                    entry.meta.get("restricted") is True,
                    entry.meta,
                )
            elif entry.type == GRANT_DECISION:
                ok = (
                    len(values) == 4
                    and all(isinstance(v, str) for v in values[:3])
                    and isinstance(values[3], Amount)
                    and values[3].currency == JPY
                )
                if not ok:
                    bad(
                        entry,
                        '助成決定の書式が違います: custom "grant-decision" "決定ID" "基金ID" "助成先" 金額 JPY と書いてください。',
                    )
                    continue
                decision_id, fund_id, grantee, amount = values
                if decision_id in grants or decision_id in decisions:
                    bad(entry, f"決定ID '{decision_id}' が二重に登録されています。")
                    continue
                grants[decision_id] = GrantDecision(
                    decision_id,
                    entry.date,
                    fund_id,
                    grantee,
                    amount.number,
                    str(entry.meta.get("body", "")),
                    str(entry.meta.get("purpose", "")),
                    entry.meta,
                )
            else:
                if len(values) < 3 or not all(isinstance(v, str) for v in values[:3]):
                    bad(
                        entry,
                        '決定の書式が違います: custom "decision" "決定ID" "決定機関" "件名" と書いてください。',
                    )
                    continue
                decision_id, body, subject = values[:3]
                if decision_id in grants or decision_id in decisions:
                    bad(entry, f"決定ID '{decision_id}' が二重に登録されています。")
                    continue
                decisions[decision_id] = Decision(
                    decision_id, entry.date, body, subject, entry.meta
                )
        return cls(funds, grants, decisions), errors

    def known_decision(self, decision_id: str) -> bool:
        """Whether ``decision_id`` names any recorded decision."""
        return decision_id in self.grants or decision_id in self.decisions

    def decided_on(self, decision_id: str) -> datetime.date | None:
        """The date of the recorded decision ``decision_id`` (None if unknown)."""
        decision = self.grants.get(decision_id) or self.decisions.get(decision_id)
        return decision.date if decision is not None else None

    def unknown_decision_message(self, unknown: str) -> str:
        """The Japanese message for an unknown decision ID, with the closest known IDs."""
        tail = did_you_mean(unknown, [*self.grants, *self.decisions])
        return (
            f"決定ID '{unknown}' の決定は記録されていません (custom \"grant-decision\" か"
            f' custom "decision")。{tail}'
        )
