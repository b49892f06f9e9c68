"""The everyday transactions, from what a form asks to a :class:`~connect_books.entry.Draft`.

One function per form of the 記帳 page (and the same for scripts); each looks up the
accounts in the chart by their ``role``/``section``/``activity`` metadata, so no account
name is written in code:

* :func:`donation` — 寄付の受入, general or designated to a fund (into the fund's account);
* :func:`grant_received` — 助成金の受入, restricted (使途の制約あり) or not;
* :func:`expense` — 経費の支払い: activity 1–5 or 管理費, the expense line by its Japanese
  name, paid from cash or bank or left 未払, with a payee and a voucher;
* :func:`grant_payment` — 基金からの助成の支払い on a decision with money left
  (:func:`decisions_with_money_left`), by default all that is left;
* :func:`transfer` — 振替 between cash, bank and fund accounts (into or out of a fund: on
  a decision, with the matching move between the net-asset accounts);

会費の入金 is :mod:`connect_books.entry_dues`, 月末の残高確認 :mod:`connect_books.entry_balance`.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from connect_books.chart import CASH_ROLES, AccountInfo, Role
from connect_books.entry import Context, Draft, EntryRefused, Line
from connect_books.entry_dues import default_money_account, role_account
from connect_books.entry_lookup import find_account
from connect_books.entry_voucher import plan
from connect_books.funds import Fund, GrantDecision
from connect_books.money import yen, yen_text
from connect_books.reports.labels import ACTIVITIES, fund_short

#: What the expense form accepts for "left unpaid".
UNPAID = ("未払", "未払金", "unpaid")
#: The section of the 管理費 accounts, and of the activities' 事業費 accounts.
ADMIN_SECTION = "管理費"
ACTIVITY_SECTION = "事業費"


def _money(ctx: Context, text: str | None, what: str = "入金先") -> AccountInfo:
    """A cash or bank account by code or name (the only bank account by default)."""
    if not text:
        return default_money_account(ctx)
    return find_account(
        ctx.chart, text, among=lambda a: a.role in (Role.CASH, Role.BANK), what=what
    )


def find_fund(ctx: Context, text: str) -> Fund:
    """A fund by its ID or part of its name (``inclufund``, ``インクルファンド``)."""
    funds = ctx.funds.funds
    if text in funds:
        return funds[text]
    found = [f for f in funds.values() if text and text in f.name]
    if len(found) == 1:
        return found[0]
    names = "、".join(f"{f.id} ({f.name})" for f in funds.values())
    raise EntryRefused(f"基金 '{text}' が一つに決まりません。基金: {names}")


def donation(
    ctx: Context,
    *,
    day: datetime.date,
    amount: int,
    supporter: str | None = None,
    fund: str | None = None,
    account: str | None = None,
    narration: str | None = None,
) -> Draft:
    """寄付の受入: into cash or bank (general), or into the fund's own account (designated)."""
    if fund:
        chosen = find_fund(ctx, fund)
        credit = [
            a
            for a in ctx.chart.with_role(Role.DESIGNATED_DONATION)
            if a.fund == chosen.id
        ]
        if len(credit) != 1:
            raise EntryRefused(
                f"{chosen.name}への使途指定寄付の科目が科目表にありません。"
            )
        debit_name, credit_name = chosen.asset, credit[0].name
        text = narration or f"{fund_short(chosen)}へのご寄付 (使途指定)"
    else:
        debit_name = _money(ctx, account).name
        credit_name = role_account(ctx, Role.DONATION).name
        text = narration or "ご寄付"
    return Draft(
        date=day,
        payee=supporter or "匿名",
        narration=text,
        meta=(("supporter", supporter),) if supporter else (),
        lines=(Line(debit_name, amount), Line(credit_name, -amount)),
    )


def grant_received(
    ctx: Context,
    *,
    day: datetime.date,
    grantor: str,
    amount: int,
    narration: str,
    restricted: bool = False,
    purpose: str = "",
    account: str | None = None,
) -> Draft:
    """助成金の受入. A restricted grant records ``restricted: TRUE`` and its ``purpose``."""
    income = [a for a in ctx.chart.in_section("経常収益") if a.line == "受取助成金等"]
    if len(income) != 1:
        raise EntryRefused(
            '受取助成金の科目 (line: "受取助成金等") が一つに決まりません。'
        )
    if restricted and not purpose.strip():
        raise EntryRefused(
            "使途の制約がある助成金は、その使途 (purpose) を書いてください。"
        )
    meta: tuple[tuple[str, str | bool], ...] = (
        (("restricted", True), ("purpose", purpose.strip())) if restricted else ()
    )
    return Draft(
        date=day,
        payee=grantor,
        narration=narration,
        meta=meta,
        lines=(
            Line(_money(ctx, account).name, amount),
            Line(income[0].name, -amount),
        ),
    )


def expense_account(ctx: Context, activity: int | None, line: str) -> AccountInfo:
    """The expense account of an activity (1–5; None: 管理費) named by its line."""
    if activity is None:
        return find_account(
            ctx.chart,
            line,
            among=lambda a: a.section == ADMIN_SECTION,
            what="管理費の科目",
        )
    if activity not in ACTIVITIES:
        raise EntryRefused(f"事業は 1〜5 で指定してください ({activity})。")
    return find_account(
        ctx.chart,
        line,
        among=lambda a: a.section == ACTIVITY_SECTION and a.activity == activity,
        what=f"事業{activity} ({ACTIVITIES[activity]}) の科目",
    )


def expense(
    ctx: Context,
    *,
    day: datetime.date,
    activity: int | None,
    line: str,
    amount: int,
    paid_from: str | None,
    payee: str,
    narration: str,
    voucher: Path | None = None,
) -> Draft:
    """経費の支払い, from cash or bank, or left 未払 (未払金, by payee)."""
    spent = expense_account(ctx, activity, line)
    if spent.role is Role.GRANT_EXPENSE:
        raise EntryRefused(
            "基金からの助成は「基金からの助成の支払い」で、決定を指定して書いてください。"
        )
    if paid_from and paid_from.strip() in UNPAID:
        source = role_account(ctx, Role.PAYABLE)
    else:
        source = _money(ctx, paid_from, "支払元")
    planned = plan(ctx.books.root, voucher, spent.name, day) if voucher else None
    return Draft(
        date=day,
        payee=payee,
        narration=narration,
        lines=(Line(spent.name, amount), Line(source.name, -amount)),
        voucher=planned,
    )


def decisions_with_money_left(ctx: Context) -> list[tuple[GrantDecision, int]]:
    """Grant decisions not yet paid in full, with what is left, in date order."""
    paid: dict[str, int] = {}
    for payment in ctx.index.grants:
        paid[payment.decision] = paid.get(payment.decision, 0) + yen(payment.amount)
    left = [
        (decision, yen(decision.amount) - paid.get(decision.id, 0))
        for decision in ctx.funds.grants.values()
    ]
    return sorted(
        ((d, rest) for d, rest in left if rest > 0), key=lambda x: (x[0].date, x[0].id)
    )


def grant_payment(
    ctx: Context,
    *,
    day: datetime.date,
    decision: str,
    amount: int | None = None,
    narration: str | None = None,
) -> Draft:
    """基金からの助成の支払い: from the fund's account, on the decision, at most what is left."""
    open_ = dict((d.id, rest) for d, rest in decisions_with_money_left(ctx))
    chosen = ctx.funds.grants.get(decision)
    if chosen is None:
        raise EntryRefused(ctx.funds.unknown_decision_message(decision))
    left = open_.get(decision, 0)
    if left <= 0:
        raise EntryRefused(
            f"決定 {decision} ({chosen.grantee}、{yen_text(chosen.amount)}) は支払い済みです。"
        )
    amount = left if amount is None else amount
    if amount > left:
        raise EntryRefused(
            f"決定 {decision} の残りは {yen_text(left)} です。{yen_text(amount)} は払えません。"
        )
    fund = ctx.funds.funds.get(chosen.fund)
    expense_accounts = [
        a for a in ctx.chart.with_role(Role.GRANT_EXPENSE) if a.fund == chosen.fund
    ]
    if fund is None or len(expense_accounts) != 1:
        raise EntryRefused(f"基金 {chosen.fund} の助成金の科目が一つに決まりません。")
    return Draft(
        date=day,
        payee=chosen.grantee,
        narration=narration or f"{fund_short(fund)}助成金",
        meta=(("decision", decision),),
        lines=(
            Line(expense_accounts[0].name, amount),
            Line(fund.asset, -amount),
        ),
    )


def transfer(
    ctx: Context,
    *,
    day: datetime.date,
    source: str,
    destination: str,
    amount: int,
    decision: str | None = None,
    narration: str | None = None,
) -> Draft:
    """振替 between cash, bank and fund accounts.

    Money into or out of a fund moves the fund's net assets too (between its equity
    account and the general one, ``role: "opening-equity"``), on a recorded decision.
    """

    def cash_like(text: str, what: str) -> AccountInfo:
        return find_account(
            ctx.chart, text, among=lambda a: a.role in CASH_ROLES, what=what
        )

    out, into = cash_like(source, "振替元"), cash_like(destination, "振替先")
    if out.name == into.name:
        raise EntryRefused("振替元と振替先が同じ科目です。")
    lines = [Line(into.name, amount), Line(out.name, -amount)]
    meta: tuple[tuple[str, str | bool], ...] = ()
    if out.fund or into.fund:
        if not decision:
            raise EntryRefused(
                "基金の口座への振替・基金の口座からの振替には、決定 (運営委員会などの決定ID) が要ります。"
            )
        out_equity, into_equity = _equity(ctx, out), _equity(ctx, into)
        if out_equity != into_equity:
            lines += [Line(out_equity, amount), Line(into_equity, -amount)]
        meta = (("decision", decision),)
    elif decision:
        meta = (("decision", decision),)
    label = f"{out.label} → {into.label}"
    return Draft(
        date=day,
        narration=narration or f"振替 ({label})",
        meta=meta,
        lines=tuple(lines),
    )


def _equity(ctx: Context, account: AccountInfo) -> str:
    """The net-asset account behind a cash-like account (the fund's, or the general one)."""
    if account.fund:
        fund = ctx.funds.funds.get(account.fund)
        if fund is None:
            raise EntryRefused(f"基金 {account.fund} が funds.beancount にありません。")
        return fund.equity
    return role_account(ctx, Role.OPENING_EQUITY).name
