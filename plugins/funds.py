"""基金 (事業内容4・定款第14条3): grants only on decisions, funds never overdrawn.

Funds, grant decisions and other decisions are ``custom`` directives (README §3.5)::

    plugin "connect_books.plugins.funds"

    2025-06-28 custom "fund" "inclufund" "地域たすけあい福祉基金(インクルファンド)" Assets:1130-普通預金-インクルファンド Equity:3310-インクルファンド
      body: "助成審査委員会"
    2025-10-25 custom "grant-decision" "IF-2025-01" "inclufund" "ワーカーズ・コレクティブ風のたより" 300000 JPY
      body: "助成審査委員会"
    2025-11-20 * "ワーカーズ・コレクティブ風のたより" "インクルファンド助成金"
      decision: "IF-2025-01"
      Expenses:5140-資金循環:5141-支払助成金-インクルファンド    300000 JPY
      Assets:1130-普通預金-インクルファンド                    -300000 JPY

The rules:

* the fund directives are well formed and their accounts opened; a grant decision names a
  known fund, is made by the fund's ``body`` (助成審査委員会 for the インクルファンド,
  第14条3) and grants more than 0 yen;
* a posting to an account with ``role: "grant-expense"`` carries ``decision:`` naming a grant
  decision of the account's ``fund``, is dated on or after it, is paid from that fund's
  asset account, and the payments of a decision never exceed the approved amount;
* every ``decision:`` in a transaction names a recorded decision;
* a fund's asset account is never below zero at the end of a day;
* money leaves a fund's asset account only as a grant payment or a transfer with
  ``decision:``;
* a designated donation (``role: "designated-donation"``, ``fund: X``) lands in fund X's
  asset account in the same transaction;
* a payment that names a restricted gift or grant (``restricted: "名前"``) names one
  received by that day (:class:`connect_books.restriction.RestrictionReader`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from beancount.core import data

from connect_books.accounts import Roots
from connect_books.chart import Chart, Role
from connect_books.errors import BooksError, did_you_mean, reject_config
from connect_books.funds import FUND_TYPES, Fund, Funds
from connect_books.money import posting_yen, yen_text
from connect_books.restriction import RestrictionReader

__plugins__ = ("funds",)

#: The body that reviews インクルファンド grants (定款第14条3).
REVIEW_COMMITTEE = "助成審査委員会"


class FundsError(BooksError):
    """A fund spent without a decision, beyond a decision, or below zero."""


def funds(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    config: str | None = None,
) -> tuple[list[data.Directive], list[BooksError]]:
    """Check the funds, their decisions and every movement of their money.

    Args:
      entries: The directives, sorted.
      options_map: Beancount's options.
      config: Must be empty: the plugin has no settings.
    Returns:
      The entries unchanged, and the errors found.
    """
    errors = reject_config("funds", config, options_map, FundsError)
    opens: list[data.Directive] = []
    customs: list[data.Directive] = []
    txns: list[data.Transaction] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            txns.append(entry)
        elif isinstance(entry, data.Open):
            opens.append(entry)
        elif isinstance(entry, data.Custom) and entry.type in FUND_TYPES:
            customs.append(entry)

    book, fund_errors = Funds.from_entries(customs)
    errors.extend(fund_errors)
    chart = Chart.from_entries(opens)
    errors.extend(_directive_errors(book, chart))

    check = _Checker(book, chart, errors)
    restrictions = RestrictionReader(book, chart, Roots.of(options_map))
    for txn in txns:
        check.transaction(txn)
        if restrictions.wanted(txn):
            restrictions.add(txn)
    check.end_of_day()
    errors.extend(_unknown_restrictions(restrictions))
    return entries, errors


def _unknown_restrictions(reader: RestrictionReader) -> list[BooksError]:
    """A payment whose ``restricted:`` names no restricted gift or grant received: a
    misspelt name would leave the whole cost in 一般正味財産 (指定 never released)."""
    received = {r.name for r in reader.restrictions.values() if r.fund is None}
    errors: list[BooksError] = []
    for txn, name in reader.unknown:
        errors.append(
            FundsError(
                txn.meta,
                f'restricted: "{name}" という使途指定の受入 (寄付・助成) が、{txn.date} までに'
                f"記録されていません。{did_you_mean(name, received)}"
                "受入の restricted: と同じ名前にしてください (指定正味財産から振り替える支出です)。",
                txn,
            )
        )
    return errors


def _directive_errors(book: Funds, chart: Chart) -> list[BooksError]:
    errors: list[BooksError] = []
    for fund in book.funds.values():
        for kind, account in (("資産", fund.asset), ("正味財産", fund.equity)):
            if chart.get(account) is None:
                errors.append(
                    FundsError(
                        fund.meta,
                        f"基金 {fund.name} の{kind}の科目 {account} が open されていません。"
                        "accounts.beancount で open するか、科目名を直してください。",
                        None,
                    )
                )
    for grant in book.grants.values():
        found = book.funds.get(grant.fund)
        if found is None:
            tail = did_you_mean(grant.fund, book.funds)
            errors.append(
                FundsError(
                    grant.meta,
                    f"助成決定 {grant.id} の基金ID '{grant.fund}' は funds.beancount にありません。{tail}"
                    "基金IDを直してください。",
                    None,
                )
            )
        elif grant.body != found.body:
            article = " (定款第14条3)" if found.body == REVIEW_COMMITTEE else ""
            errors.append(
                FundsError(
                    grant.meta,
                    f"{found.name}の助成を決定するのは{found.body}です{article}が、助成決定 {grant.id} の"
                    f" body は「{grant.body or 'なし'}」です。{found.body}の決定であることを確かめ、"
                    f' body: "{found.body}" と書いてください。',
                    None,
                )
            )
        if grant.amount <= 0:
            errors.append(
                FundsError(
                    grant.meta,
                    f"助成決定 {grant.id} の金額が {yen_text(grant.amount)} です。決定した助成額 (正の数) を書いてください。",
                    None,
                )
            )
    for info in chart.with_role(Role.GRANT_EXPENSE, Role.DESIGNATED_DONATION):
        if info.fund not in book.funds:
            errors.append(
                FundsError(
                    info.meta,
                    f"科目 {info.name} (role: {info.role}) の fund: '{info.fund}' は funds.beancount の"
                    ' 基金IDではありません。open に fund: "基金ID" を書いてください。',
                    None,
                )
            )
    return errors


class _Checker:
    """The running state of one pass over the transactions, in date order."""

    def __init__(self, book: Funds, chart: Chart, errors: list[BooksError]) -> None:
        self.book = book
        self.errors = errors
        self.grant_fund = {a.name: a.fund for a in chart.with_role(Role.GRANT_EXPENSE)}
        self.donation_fund = {
            a.name: a.fund for a in chart.with_role(Role.DESIGNATED_DONATION)
        }
        self.asset_fund: dict[str, Fund] = {f.asset: f for f in book.funds.values()}
        #: What each account the rules look at is: a grant expense, a designated donation or
        #: a fund's asset account (the fund directive's, whatever its ``role:``).
        self.kinds: dict[str, Role] = {
            **dict.fromkeys(self.asset_fund, Role.FUND_ASSET),
            **dict.fromkeys(self.donation_fund, Role.DESIGNATED_DONATION),
            **dict.fromkeys(self.grant_fund, Role.GRANT_EXPENSE),
        }
        self.paid: dict[str, Decimal] = defaultdict(Decimal)
        self.balance: dict[str, Decimal] = defaultdict(Decimal)
        # The day being applied, and per fund asset account touched that day: its balance
        # at the start of the day, the last transaction that took it below zero, and the
        # last that lowered it.
        self.day: datetime.date | None = None
        self.day_start: dict[str, Decimal] = {}
        self.went_negative: dict[str, data.Transaction] = {}
        self.lowered: dict[str, data.Transaction] = {}

    def error(self, txn: data.Transaction, message: str) -> None:
        self.errors.append(FundsError(txn.meta, message, txn))

    def transaction(self, txn: data.Transaction) -> None:
        """Check one transaction and apply it to the fund balances."""
        decision = txn.meta.get("decision")
        kinds = self.kinds
        if decision is None:
            for account, _, _, _, _, pmeta in txn.postings:
                if account in kinds or (pmeta is not None and "decision" in pmeta):
                    break
            else:
                # the common transaction: no fund account, no decision. It changes
                # nothing, so the end of its day can as well be seen at the next one.
                return
        if txn.date != self.day:
            self.end_of_day()
            self.day = txn.date
        named = [decision] if decision is not None else []
        special: list[tuple[Role, data.Posting]] = []
        for posting in txn.postings:
            pmeta = posting.meta
            if pmeta is not None and "decision" in pmeta:
                named.append(pmeta["decision"])
            kind = kinds.get(posting.account)
            if kind is not None:
                special.append((kind, posting))
        if named:
            self.decisions(txn, named)
        if not special:
            return
        grants = False
        out_of_fund: list[str] = []
        for kind, posting in special:
            if kind is Role.GRANT_EXPENSE:
                grants = True
                self.grant(txn, posting)
            elif kind is Role.DESIGNATED_DONATION:
                self.donation(txn, posting)
            else:
                account = posting.account
                number = posting_yen(posting)
                if number < 0 and account not in out_of_fund:
                    out_of_fund.append(account)
                self.move(txn, account, number)
        if out_of_fund and not grants and decision is None:
            names = ", ".join(
                f"{self.asset_fund[a].name}の口座 ({a})" for a in out_of_fund
            )
            self.error(
                txn,
                f"{names}からお金が出ていますが、助成金の支払いでも、決定に基づく振替でもありません。"
                "基金のお金は助成決定による助成か、決定に基づく振替にだけ使えます。"
                '振替なら decision: "決定ID" を書き、そうでなければ一般の口座から支払ってください。',
            )

    def decisions(self, txn: data.Transaction, named: list[Any]) -> None:
        """Report every unknown decision ID named by the transaction or its postings."""
        seen: set[str] = set()
        for decision in named:
            if str(decision) in seen:
                continue
            seen.add(str(decision))
            if not self.book.known_decision(str(decision)):
                self.error(
                    txn,
                    f"{self.book.unknown_decision_message(str(decision))}decision: を直してください。",
                )

    def grant(self, txn: data.Transaction, posting: data.Posting) -> None:
        """A posting to a grant-expense account: decision, fund, date, source, amount."""
        account = posting.account
        number = posting_yen(posting)
        fund = self.book.funds.get(self.grant_fund[account])
        decision = (posting.meta or {}).get("decision", txn.meta.get("decision"))
        if fund is None:
            return  # the account's fund: is reported at its open
        if decision is None:
            self.error(
                txn,
                f"{fund.name}の助成金 ({account}) の支払いに、助成決定が書かれていません。"
                f'取引に decision: "決定ID" を書いてください ({fund.body}の custom "grant-decision")。',
            )
            return
        grant = self.book.grants.get(str(decision))
        if grant is None:
            if self.book.known_decision(str(decision)):
                self.error(
                    txn,
                    f"決定 '{decision}' は助成決定ではありません。{fund.name}の助成金は、{fund.body}の"
                    ' 助成決定 (custom "grant-decision") を decision: で指してください。',
                )
            return  # an unknown ID is reported by decisions()
        if grant.fund != fund.id:
            other = self.book.funds.get(grant.fund)
            self.error(
                txn,
                f"助成決定 {grant.id} は{other.name if other else grant.fund}の助成ですが、"
                f"{account} は{fund.name}の助成金の科目です。科目か decision: を直してください。",
            )
            return
        if txn.date < grant.date:
            self.error(
                txn,
                f"助成決定 {grant.id} ({grant.date}) より前の {txn.date} に支払っています。"
                "助成は決定の後に支払います。日付か decision: を確かめてください。",
            )
        if number > 0:
            sources = [
                p.account
                for p in txn.postings
                if posting_yen(p) < 0
                and p.account != fund.asset
                and p.account not in self.grant_fund
            ]
            if sources:
                self.error(
                    txn,
                    f"{fund.name}の助成金は基金の口座 ({fund.asset}) から支払います"
                    f" (この取引は {', '.join(sorted(set(sources)))} から払っています)。"
                    "支払元の科目を直してください。",
                )
        self.paid[grant.id] += number
        paid = self.paid[grant.id]
        if number > 0 and paid > grant.amount:
            self.error(
                txn,
                f"助成決定 {grant.id} ({grant.grantee}) の決定額は {yen_text(grant.amount)} ですが、"
                f"この支払いで支払累計が {yen_text(paid)} になり、{yen_text(paid - grant.amount)} 超えています。"
                f"決定額を超える助成には、{fund.body}の新しい助成決定が要ります。",
            )

    def donation(self, txn: data.Transaction, posting: data.Posting) -> None:
        """A designated donation must land in its fund's asset account."""
        fund = self.book.funds.get(self.donation_fund[posting.account])
        if fund is None or posting_yen(posting) >= 0:
            return
        landed = any(
            p.account == fund.asset and posting_yen(p) > 0 for p in txn.postings
        )
        if not landed:
            self.error(
                txn,
                f"{fund.name}への使途指定の寄付 ({posting.account}) が基金の口座 ({fund.asset}) に"
                " 入っていません。借方を基金の口座にしてください (一般の寄付なら一般の寄付の科目で受けます)。",
            )

    def move(self, txn: data.Transaction, account: str, number: Decimal) -> None:
        """Apply a posting to a fund's asset account, remembering who lowered it."""
        before = self.balance[account]
        if account not in self.day_start:
            self.day_start[account] = before
        after = before + number
        self.balance[account] = after
        if number < 0:
            self.lowered[account] = txn
            if before >= 0 > after:
                self.went_negative[account] = txn

    def end_of_day(self) -> None:
        """Report each fund asset account that ends the day below zero, at its culprit."""
        for account, start in self.day_start.items():
            end = self.balance[account]
            if end >= 0:
                continue
            if start >= 0:
                culprit = self.went_negative.get(account)
            else:
                culprit = self.lowered.get(account) if end < start else None
            if culprit is None:
                continue
            fund = self.asset_fund[account]
            self.error(
                culprit,
                f"{fund.name}の口座 ({account}) の残高が {culprit.date} の終わりに {yen_text(end)} になり、"
                f"{yen_text(-end)} 足りません。基金の残高を超えて支払うことはできません"
                " (翌日以降に入金しても、その日の不足は直りません)。入金を先に記帳するか、"
                "支払いの日付・金額を確かめてください。",
            )
        self.day_start = {}
        self.went_negative = {}
        self.lowered = {}
