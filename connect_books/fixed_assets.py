"""固定資産: the one reader of fixed assets, the capitalisation threshold and depreciation.

Syntax (README §6; ``ledger/accounts.beancount`` and the journals)::

    2025-06-28 custom "capitalisation-threshold" 100000 JPY     ; 資産に計上する取得価額の下限
    2025-06-28 open Expenses:5210-管理費:5217-減価償却費 JPY
      depreciation: TRUE                                          ; 償却の費用の科目

    2025-10-06 * "株式会社オフィスみやさか" "ノートパソコン (事務局用) 1台"
      Assets:1510-什器備品                     198000 JPY
        asset: "PC-2025-01"                                       ; 資産番号
        life: 4                                                   ; 耐用年数 (年)
      Assets:1120-普通預金-ろうきん            -198000 JPY

    2026-03-31 * "減価償却 (2025年度)"
      depreciation: 2025
      Expenses:5210-管理費:5217-減価償却費      24750 JPY
        asset: "PC-2025-01"
      Assets:1510-什器備品                     -24750 JPY
        asset: "PC-2025-01"

An account whose ``section`` is 固定資産 holds fixed assets, booked at cost and
depreciated directly (直接法): every posting on it names its asset with ``asset:``. The
purchase also gives the useful life in years (``life:``) and may name another expense
account for the depreciation (``depreciation-account: "Expenses:…"``). Depreciation is
straight-line by month (定額法・月割): a year's charge is cost × months in use ÷ (life × 12),
1円未満切捨て, from the month of purchase, never below a memorandum value of 1円
(備忘価額). ``connect-books depreciation --year Y`` prints the year's entry for the treasurer
to confirm, and writes it only with ``--write``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from connect_books.accounts import Kind, Roots
from connect_books.chart import Chart
from connect_books.fiscal import FiscalYear
from connect_books.money import JPY, posting_yen, yen, yen_text

THRESHOLD = "capitalisation-threshold"
ASSET = "asset"
LIFE = "life"
EXPENSE = "depreciation-account"
DEPRECIATION = "depreciation"
#: The section of the accounts that hold fixed assets.
SECTION = "固定資産"
#: 備忘価額: what is left on the books when an asset is fully depreciated.
MEMO_VALUE = 1


@dataclass(frozen=True)
class FixedAsset:
    """One fixed asset: where it is booked, what it cost, how long it is used."""

    id: str
    name: str
    account: str
    acquired: datetime.date
    cost: int
    life: int
    expense: str | None
    meta: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class AssetMove:
    """A reduction of an asset's book value: depreciation, or a disposal (除却・売却)."""

    date: datetime.date
    asset: str
    amount: int
    depreciation: bool


@dataclass(frozen=True)
class Problem:
    """Fixed-asset data the ledger cannot use (``meta`` points at the line)."""

    meta: dict[str, Any]
    message: str


@dataclass
class FixedAssets:
    """Every fixed asset, every reduction of one, the thresholds and the problems."""

    assets: dict[str, FixedAsset] = field(default_factory=dict)
    moves: list[AssetMove] = field(default_factory=list)
    thresholds: list[tuple[datetime.date, int]] = field(default_factory=list)
    expense_accounts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def from_entries(
        cls, entries: Iterable[data.Directive], roots: Roots | None = None
    ) -> FixedAssets:
        """Read the books (entries in date order)."""
        listed = list(entries)
        roots = roots or Roots.of()
        chart = Chart.from_entries(e for e in listed if isinstance(e, data.Open))
        holders = {n for n, a in chart.accounts.items() if a.section == SECTION}
        found = cls(
            expense_accounts=sorted(
                n
                for n, a in chart.accounts.items()
                if a.meta.get(DEPRECIATION) is True and roots.is_(n, Kind.EXPENSES)
            )
        )
        for entry in listed:
            if isinstance(entry, data.Custom) and entry.type == THRESHOLD:
                found._threshold(entry)
            elif isinstance(entry, data.Transaction) and any(
                p.account in holders for p in entry.postings
            ):
                found._transaction(entry, holders)
        return found

    def _threshold(self, entry: data.Custom) -> None:
        values = [v.value for v in entry.values]
        ok = (
            len(values) == 1
            and isinstance(values[0], Amount)
            and values[0].currency == JPY
            and isinstance(values[0].number, Decimal)
            and values[0].number > 0
        )
        if not ok:
            self.problems.append(
                Problem(
                    entry.meta,
                    f'資産計上の基準の書式が違います: custom "{THRESHOLD}" 100000 JPY と書いてください。',
                )
            )
            return
        self.thresholds.append((entry.date, yen(values[0].number)))

    def _transaction(self, txn: data.Transaction, holders: set[str]) -> None:
        depreciating = any(p.account in self.expense_accounts for p in txn.postings)
        for posting in txn.postings:
            if posting.account not in holders:
                continue
            meta = posting.meta or {}
            line = meta if "lineno" in meta else txn.meta
            amount = yen(posting_yen(posting))
            asset_id = meta.get(ASSET)
            if not isinstance(asset_id, str) or not asset_id.strip():
                self.problems.append(
                    Problem(
                        line,
                        f"{posting.account} の行に資産番号がありません。固定資産の科目の行には"
                        ' asset: "資産番号" を書いてください (取得の行には life: 耐用年数 も)。',
                    )
                )
                continue
            if amount > 0:
                self._acquisition(txn, posting.account, asset_id, amount, meta, line)
            elif asset_id not in self.assets:
                self.problems.append(
                    Problem(
                        line,
                        f"資産番号 '{asset_id}' の取得の記録がありません。asset: を確かめてください。",
                    )
                )
            else:
                self.moves.append(AssetMove(txn.date, asset_id, -amount, depreciating))

    def _acquisition(
        self,
        txn: data.Transaction,
        account: str,
        asset_id: str,
        cost: int,
        meta: dict[str, Any],
        line: dict[str, Any],
    ) -> None:
        life = meta.get(LIFE)
        if asset_id in self.assets:
            self.problems.append(
                Problem(line, f"資産番号 '{asset_id}' の取得が二度記録されています。")
            )
            return
        if not isinstance(life, Decimal | int) or isinstance(life, bool) or life <= 0:
            self.problems.append(
                Problem(
                    line,
                    f"資産 {asset_id} の耐用年数がありません。取得の行に life: 4 のように"
                    " 年数 (正の整数) を書いてください。",
                )
            )
            return
        if Decimal(life) != Decimal(life).to_integral_value():
            self.problems.append(
                Problem(
                    line, f"資産 {asset_id} の耐用年数 {life} は整数で書いてください。"
                )
            )
            return
        threshold = self.threshold_on(txn.date)
        if threshold is not None and cost < threshold:
            self.problems.append(
                Problem(
                    line,
                    f"資産 {asset_id} の取得価額 {yen_text(cost)} は資産計上の基準"
                    f" ({yen_text(threshold)}) 未満です。費用 (事務用品費・消耗品費など) で記帳してください。",
                )
            )
        expense = meta.get(EXPENSE)
        self.assets[asset_id] = FixedAsset(
            asset_id,
            txn.narration or asset_id,
            account,
            txn.date,
            cost,
            int(life),
            str(expense) if expense else None,
            line,
        )

    def threshold_on(self, day: datetime.date) -> int | None:
        """The capitalisation threshold in force on ``day`` (None before any)."""
        found = None
        for start, amount in self.thresholds:
            if start <= day:
                found = amount
        return found

    def reduced(
        self,
        asset_id: str,
        start: datetime.date,
        end: datetime.date,
        *,
        depreciation: bool,
    ) -> int:
        """Depreciation (or disposals) of ``asset_id`` booked in ``start``..``end``."""
        return sum(
            m.amount
            for m in self.moves
            if m.asset == asset_id
            and start <= m.date <= end
            and m.depreciation == depreciation
        )

    def book_value(self, asset_id: str, day: datetime.date) -> int:
        """The asset's book value at the end of ``day`` (0 before it was acquired)."""
        asset = self.assets[asset_id]
        if asset.acquired > day:
            return 0
        return asset.cost - sum(
            m.amount for m in self.moves if m.asset == asset_id and m.date <= day
        )

    def planned(self, asset: FixedAsset, year: FiscalYear) -> int:
        """Straight-line depreciation of ``asset`` for ``year`` (定額法・月割, 備忘価額 1円)."""
        if asset.acquired > year.end:
            return 0
        first = max(asset.acquired, year.start)
        months = (year.end.year - first.year) * 12 + year.end.month - first.month + 1
        charge = asset.cost * months // (asset.life * 12)
        before = self.book_value(asset.id, year.start - datetime.timedelta(days=1))
        if asset.acquired >= year.start:
            before = asset.cost
        disposed = self.reduced(asset.id, year.start, year.end, depreciation=False)
        return max(0, min(charge, before - disposed - MEMO_VALUE))

    def due(self, asset: FixedAsset, year: FiscalYear) -> int:
        """What is still to be booked as ``year``'s depreciation of ``asset``."""
        booked = self.reduced(asset.id, year.start, year.end, depreciation=True)
        return max(0, self.planned(asset, year) - booked)

    def expense_for(self, asset: FixedAsset) -> str | None:
        """The expense account of ``asset``'s depreciation (None when there is none)."""
        if asset.expense:
            return asset.expense
        return self.expense_accounts[0] if len(self.expense_accounts) == 1 else None

    def entry_text(self, year: FiscalYear) -> str:
        """The year's depreciation entry as Beancount text ('' when nothing is due)."""
        lines: list[str] = []
        for asset in sorted(self.assets.values(), key=lambda a: a.id):
            amount = self.due(asset, year)
            expense = self.expense_for(asset)
            if not amount or expense is None:
                continue
            lines += [
                f"  {expense:<48} {amount:>10} JPY",
                f'    {ASSET}: "{asset.id}"',
                f"  {asset.account:<48} {-amount:>10} JPY",
                f'    {ASSET}: "{asset.id}"',
            ]
        if not lines:
            return ""
        head = [
            f'{year.end.isoformat()} * "減価償却 ({year.label})"',
            f"  {DEPRECIATION}: {year.year}",
        ]
        return "\n".join(head + lines) + "\n"
