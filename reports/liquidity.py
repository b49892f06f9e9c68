"""資金 (支払資金): what the 収支計算書 counts, per 会計 and in total.

資金 = 流動資産 − 流動負債: the cash and deposits (現金預金) and the short-term receivables
(未収会費, 未収金, 前払金, 立替金) less the short-term payables (未払金, 預り金, 前受会費). In
the chart that is every account whose ``section`` is 流動資産 or 流動負債, and every fund's
asset account. Fixed assets (什器備品) lie outside it: buying one is a 支出
(固定資産取得支出), depreciating it moves no 資金.

Each 資金 account belongs to one 会計 (:class:`Section`): a fund's asset account to the
fund's 特別会計 (section key = the fund's ID), every other to the 一般会計 (``general``).
:func:`position` is the 資金 per 会計 and in total (``total``) at the end of a day, from the
balances alone; the tie-out compares the 収支計算書's 次期繰越収支差額 with it.
:func:`flows` explains the change over a period transaction by transaction: what a
transaction does to one 会計's 資金 is attributed to the rows of its other postings (a
收益 → 収入 by ``budget-line``, a 費用 → 支出 by account, a fixed asset → 固定資産取得支出);
money moving between two 会計 is a 繰入 in one and a 繰出 in the other (into or out of a
reserve, from the 一般会計's side: 積立金繰入支出 / 積立金取崩収入). So for every 会計,
opening 資金 + 収入 − 支出 = closing 資金, exactly.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from beancount.core import data

from connect_books.accounts import Kind
from connect_books.funds import Fund
from connect_books.money import JPY, yen
from connect_books.reports.index import Index
from connect_books.reports.labels import fund_short

#: The statement sections of the accounts that hold 資金.
LIQUID_SECTIONS = ("流動資産", "流動負債")
#: The 一般会計's key; a fund's 特別会計 is keyed by the fund's ID; the sum by ``total``.
GENERAL = "general"
TOTAL = "total"
#: Default 収入 line of an income account without ``budget-line``.
DEFAULT_INCOME_LINE = "雑収入"

# Row keys of the flows that are not an account or an income line.
FIXED_ASSET_PURCHASE = "固定資産取得支出"
FIXED_ASSET_SALE = "固定資産売却収入"
BORROWING = "借入金収入"
REPAYMENT = "借入金返済支出"
OTHER_IN = "その他の収入"
OTHER_OUT = "その他の支出"
TRANSFER_IN = "他会計からの繰入収入"
TRANSFER_OUT = "他会計への繰出支出"
RESERVE_IN = "積立金繰入支出"  # money into a reserve, seen from the 一般会計
RESERVE_OUT = "積立金取崩収入"  # money out of a reserve, seen from the 一般会計
#: Keys on the 収入 side (besides ``収入:…`` lines); every other key is a 支出.
INCOME_KEYS = frozenset(
    {FIXED_ASSET_SALE, BORROWING, OTHER_IN, TRANSFER_IN, RESERVE_OUT}
)
#: Keys of money moving between 会計 (they cancel out over all 会計).
TRANSFER_KEYS = frozenset({TRANSFER_IN, TRANSFER_OUT, RESERVE_IN, RESERVE_OUT})


def income_key(line: str) -> str:
    """The flow key of the 収入 line ``line`` (``収入:会費``)."""
    return f"収入:{line}"


def is_income(key: str) -> bool:
    """Whether the flow ``key`` lies on the 収入 side."""
    return key.startswith("収入:") or key in INCOME_KEYS


@dataclass(frozen=True)
class Section:
    """One 会計: the 一般会計 (no fund) or a fund's 特別会計."""

    key: str
    label: str
    fund: Fund | None = None

    @property
    def reserve(self) -> bool:
        """Whether this is a reserve the board set aside (a fund not restricted)."""
        return self.fund is not None and not self.fund.restricted


def sections(idx: Index) -> list[Section]:
    """The 一般会計, then each fund's 特別会計 in the order of ``funds.beancount``."""
    return [Section(GENERAL, "一般会計")] + [
        Section(fund.id, f"{fund_short(fund)}特別会計", fund)
        for fund in idx.funds.funds.values()
    ]


def liquid_accounts(idx: Index) -> dict[str, str]:
    """Every 資金 account → the key of the 会計 it belongs to."""
    found = {
        name: GENERAL
        for name, info in idx.chart.accounts.items()
        if info.section in LIQUID_SECTIONS
    }
    for fund in idx.funds.funds.values():
        found[fund.asset] = fund.id
    return found


def scope_text(idx: Index) -> str:
    """What 資金 counts, in the chart's own line names (for the statement)."""
    assets: list[str] = []
    debts: list[str] = []
    for name in sorted(liquid_accounts(idx)):
        info = idx.info(name)
        label = info.line or info.label
        side = debts if idx.roots.is_(name, Kind.LIABILITIES) else assets
        if label not in side:
            side.append(label)
    text = f"資金 = {'・'.join(assets)} (流動資産)"
    if debts:
        text += f" − {'・'.join(debts)} (流動負債)"
    return text


@dataclass(frozen=True)
class Position:
    """資金 at the end of a day, per 会計 and in total, with its two sides."""

    day: datetime.date
    funds: dict[str, int]
    assets: dict[str, int]
    liabilities: dict[str, int]

    def __getitem__(self, key: str) -> int:
        return self.funds[key]


def position(idx: Index, day: datetime.date) -> Position:
    """資金 per 会計 (keys: ``general``, each fund's ID) and ``total`` at the end of ``day``.

    Computed from the balances of the 資金 accounts alone (never from the statement), so
    it is the figure the 貸借対照表 shows as 流動資産 − 流動負債.
    """
    keys = [s.key for s in sections(idx)]
    amounts = dict.fromkeys(keys, 0)
    assets = dict.fromkeys(keys, 0)
    liabilities = dict.fromkeys(keys, 0)
    for account, key in liquid_accounts(idx).items():
        balance = idx.balance(account, day)
        amounts[key] += balance
        if idx.roots.is_(account, Kind.LIABILITIES):
            liabilities[key] -= balance
        else:
            assets[key] += balance
    for side in (amounts, assets, liabilities):
        side[TOTAL] = sum(side[k] for k in keys)
    return Position(day, amounts, assets, liabilities)


@dataclass
class Flows:
    """Each 会計's 資金 flows over a period: row key → yen (収入 and 支出 both positive)."""

    start: datetime.date
    end: datetime.date
    by_section: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Postings to 収益・費用 in transactions that move no 資金 (減価償却費 …), by account.
    non_cash: dict[str, int] = field(default_factory=dict)

    def of(self, section: str) -> dict[str, int]:
        """The flows of one 会計 (``total``: every 会計 added up)."""
        if section != TOTAL:
            return self.by_section.get(section, {})
        summed: dict[str, int] = defaultdict(int)
        for rows in self.by_section.values():
            for key, value in rows.items():
                summed[key] += value
        return dict(summed)


def flows(idx: Index, start: datetime.date, end: datetime.date) -> Flows:
    """The 資金 flows of every 会計 over ``start``..``end`` (opening balances excluded).

    Balances brought in from the predecessors (``opening: TRUE``) are 前期繰越, not flows.
    """
    liquid = liquid_accounts(idx)
    order = {s.key: n for n, s in enumerate(sections(idx))}
    reserves = {s.key for s in sections(idx) if s.reserve}
    result: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    non_cash: dict[str, int] = defaultdict(int)
    kinds: dict[str, Kind | None] = {}
    lines: dict[str, str] = {}

    def kind_of(account: str) -> Kind | None:
        if account not in kinds:
            kinds[account] = idx.roots.kind(account)
        return kinds[account]

    def line_of(account: str) -> str:
        if account not in lines:
            lines[account] = idx.info(account).budget_line or DEFAULT_INCOME_LINE
        return lines[account]

    for entry in idx.entries:
        if not isinstance(entry, data.Transaction) or not start <= entry.date <= end:
            continue
        if entry.meta.get("opening") is True:
            continue
        moved: dict[str, int] = {}
        others: list[tuple[str, int]] = []
        equity = 0
        for posting in entry.postings:
            units = posting.units
            if units is None or units.currency != JPY or units.number is None:
                continue
            amount = yen(units.number)
            section = liquid.get(posting.account)
            if section is not None:
                moved[section] = moved.get(section, 0) + amount
            elif kind_of(posting.account) is Kind.EQUITY:
                equity += amount
            else:
                others.append((posting.account, amount))
        if equity:
            others.append(("", equity))
        if not moved:
            for account, amount in others:
                if kind_of(account) in (Kind.INCOME, Kind.EXPENSES):
                    non_cash[account] += amount
            continue
        home = GENERAL if GENERAL in moved else min(moved, key=order.__getitem__)
        rows = result[home]
        for account, amount in others:
            key, value = _classify(account, amount, kind_of(account), line_of)
            rows[key] += value
        for section, amount in moved.items():
            if section == home or not amount:
                continue
            inbound = amount > 0
            result[section][TRANSFER_IN if inbound else TRANSFER_OUT] += abs(amount)
            if home == GENERAL and section in reserves:
                key = RESERVE_IN if inbound else RESERVE_OUT
            else:
                key = TRANSFER_OUT if inbound else TRANSFER_IN
            rows[key] += abs(amount)
    return Flows(
        start,
        end,
        {s: dict(r) for s, r in result.items()},
        dict(non_cash),
    )


def _classify(
    account: str, amount: int, kind: Kind | None, line_of: Callable[[str], str]
) -> tuple[str, int]:
    """The row key of a posting that is not 資金, and its amount in the row's direction."""
    if kind is Kind.INCOME:
        return income_key(line_of(account)), -amount
    if kind is Kind.EXPENSES:
        return account, amount
    if kind is Kind.ASSETS:
        return (
            (FIXED_ASSET_PURCHASE, amount)
            if amount > 0
            else (FIXED_ASSET_SALE, -amount)
        )
    if kind is Kind.LIABILITIES:
        return (BORROWING, -amount) if amount < 0 else (REPAYMENT, amount)
    # net postings to 正味財産 (a transfer between net-asset accounts nets to zero)
    return (OTHER_IN, -amount) if amount < 0 else (OTHER_OUT, amount)
