"""会費の入金 (第7条・附則2): the dues entry for a member, in the right 年度 (README §2.2).

:func:`dues_entry` builds the transaction from the member, the 年度 and the account the
money went to, looking at what the dues roll (:func:`connect_books.reports.subledgers.dues_lines`)
says the member still owes:

========================================  ===============================================
the 年度 of the dues                      the entry (``member:`` on the transaction)
========================================  ===============================================
the 年度 of the date                      預金 (or 現金) / 受取会費
an earlier 年度, booked as 未収会費        預金 / 未収会費 (the arrear is collected)
the next 年度 (paid in advance)            預金 / 前受会費
``account`` = 未収会費 (at 3/31)           未収会費 / 受取会費 (unpaid dues accrued)
``account`` = 前受会費 (on 4/1)            前受会費 / 受取会費 (the advance recognised)
========================================  ===============================================

Without a 年度, the oldest one the member owes is paid (an arrear, else this 年度's
dues), and when nothing is owed, the next 年度's dues in advance, from :data:`ADVANCE_FROM`
(3月1日) on, as the bank import does; before that a second payment is more likely a
mistake, and is written only for an explicit ``year``. The amount defaults to what is
owed for that 年度, and may not exceed it. An accrual is dated 3月31日.
"""

from __future__ import annotations

import datetime

from connect_books.chart import AccountInfo, Role
from connect_books.entry import Context, Draft, EntryRefused, Line
from connect_books.entry_lookup import find_account
from connect_books.fiscal import FiscalYear, jdate
from connect_books.importers.dues import advance_start
from connect_books.journal_target import check_day
from connect_books.money import yen_text
from connect_books.reports.labels import short_name
from connect_books.reports.subledgers import DuesLine, dues_lines, years_through
from connect_books.roster import Member

#: From this day of a 年度 (month, day) on, a paid-up member's payment with no 年度
#: named is next year's dues in advance (README §2.2: 3月中の入金).
ADVANCE_FROM = (3, 1)

#: The roles of the accounts dues money can arrive in.
MONEY_ROLES = (Role.BANK, Role.CASH)


def dues_line(ctx: Context, member: Member, year: FiscalYear) -> DuesLine:
    """The member's dues for ``year``: due, paid, booked as 未収会費, paid ahead."""
    for line in dues_lines(ctx.index, [year], datetime.date.max):
        if line.member.id == member.id:
            return line
    return DuesLine(member, year, 0)


def owed_year(ctx: Context, member: Member, day: datetime.date) -> FiscalYear:
    """The 年度 a payment on ``day`` pays: the oldest owed, else the next (in advance)."""
    current = FiscalYear.of(day)
    for year in years_through(ctx.index.first, current):
        line = dues_line(ctx, member, year)
        if year < current and line.receivable > 0:
            return year
        if year == current and line.outstanding > 0:
            return year
    return current.next()


def role_account(ctx: Context, role: Role) -> AccountInfo:
    """The one account of ``role`` (refused when the chart has none or several)."""
    found = ctx.chart.with_role(role)
    if len(found) != 1:
        raise EntryRefused(
            f'科目表に role: "{role.value}" の科目が{len(found)}件あります (一つにしてください)。'
        )
    return found[0]


def default_money_account(ctx: Context) -> AccountInfo:
    """The bank account dues arrive in when none is named (the only ``bank`` account)."""
    banks = ctx.chart.with_role(Role.BANK)
    if len(banks) != 1:
        names = "、".join(a.name for a in banks) or "なし"
        raise EntryRefused(
            f"入金した口座を --account で指定してください (預金の科目: {names})。"
        )
    return banks[0]


def dues_account(ctx: Context, text: str) -> AccountInfo:
    """The account a dues entry names (code or part of its name): cash or bank, or
    未収会費 (an accrual at 3/31) or 前受会費 (an advance recognised on 4/1).

    Raises:
      LookupRefused: no such account, or several.
    """
    allowed = {*MONEY_ROLES, Role.DUES_RECEIVABLE, Role.DUES_ADVANCE}
    return find_account(
        ctx.chart, text, among=lambda a: a.role in allowed, what="入金先"
    )


def dues_entry(
    ctx: Context,
    member: Member,
    *,
    day: datetime.date | None = None,
    year: FiscalYear | None = None,
    amount: int | None = None,
    account: AccountInfo | None = None,
) -> Draft:
    """The dues transaction (see the module docstring).

    Args:
      ctx: the loaded books.
      member: the member organisation.
      day: the date (default: today; 3/31 of ``year`` for an accrual, 4/1 for an advance
        recognised).
      year: the 年度 of the dues (default: :func:`owed_year`).
      amount: yen (default: what is owed).
      account: where the money went (cash or bank), or 未収会費 / 前受会費.
    Raises:
      EntryRefused: nothing is owed, the amount is more than owed, or the account or
        年度 does not fit a dues entry.
    """
    income = role_account(ctx, Role.DUES_INCOME)
    role = account.role if account is not None else Role.BANK
    if role is Role.DUES_RECEIVABLE:
        year = year or FiscalYear.of(day or ctx.today)
        return _accrual(ctx, member, year, day or year.end, amount, account, income)
    if role is Role.DUES_ADVANCE:
        year = year or FiscalYear.of(day or ctx.today)
        return _recognise(ctx, member, year, day or year.start, amount, account, income)
    if role not in MONEY_ROLES:
        raise EntryRefused(
            "会費の入金先は現金か預金の科目です (未収計上は 未収会費、前受けの振替は 前受会費 を"
            f"指定します)。{account.name if account else ''} は使えません。"
        )
    money = account or default_money_account(ctx)
    day = day or ctx.today
    check_day(day, ctx.books.entries, ctx.today)
    paid_in = FiscalYear.of(day)
    named = year is not None
    year = year or owed_year(ctx, member, day)
    line = dues_line(ctx, member, year)
    left = line.outstanding
    who = f"{member.name} ({member.id}) の{year.label}会費"
    if line.due <= 0:
        raise EntryRefused(
            f"{member.name} ({member.id}) は{year.label}の会員ではありません。"
        )
    if left <= 0:
        raise EntryRefused(f"{who} ({yen_text(line.due)}) は納入済みです。")
    amount = _within(amount, left, who)
    if year == paid_in:
        credit, narration = income, f"{year.label}会費"
    elif year < paid_in:
        if line.receivable <= 0:
            raise EntryRefused(
                f"{who}は未収会費に計上されていません。先に{jdate(year.end)}付で未収計上してください"
                f" (connect-books dues pay {member.id} --year {year.year} --account 未収会費)。"
            )
        amount = _within(amount, line.receivable, f"{who}の未収会費")
        credit = role_account(ctx, Role.DUES_RECEIVABLE)
        narration = f"{year.label}会費 入金 (未収会費の回収)"
    elif year == paid_in.next():
        if not named and day < advance_start(paid_in, ADVANCE_FROM):
            raise EntryRefused(
                f"{member.name} ({member.id}) の{paid_in.label}会費は納入済みです。"
                f"{year.label}会費の前受けなら --year {year.year} を付けてください"
                " (3月より前の二度目の入金は、二重の振込でないか確かめてください)。"
            )
        credit = role_account(ctx, Role.DUES_ADVANCE)
        narration = f"{year.label}会費 (前受け)"
    else:
        raise EntryRefused(
            f"{year.label}の会費は、まだ受け取れません (前受けは翌年度の分だけです)。"
        )
    return _draft(member, day, narration, money, credit, amount)


def _accrual(
    ctx: Context,
    member: Member,
    year: FiscalYear,
    day: datetime.date,
    amount: int | None,
    account: AccountInfo | None,
    income: AccountInfo,
) -> Draft:
    """未収会費 / 受取会費: dues not paid by the year end, booked in that 年度."""
    assert account is not None
    check_day(day, ctx.books.entries, ctx.today)
    if day != year.end:
        raise EntryRefused(
            f"未収計上は{year.label}の期末 ({year.end.isoformat()}) の日付で書きます"
            " (--date を省けばその日です)。"
        )
    line = dues_line(ctx, member, year)
    left = line.due - line.recognised
    who = f"{member.name} ({member.id}) の{year.label}会費"
    if left <= 0:
        raise EntryRefused(f"{who}は計上済みです (未収計上は要りません)。")
    amount = _within(amount, left, who)
    return _draft(member, day, f"{year.label}会費 未収計上", account, income, amount)


def _recognise(
    ctx: Context,
    member: Member,
    year: FiscalYear,
    day: datetime.date,
    amount: int | None,
    account: AccountInfo | None,
    income: AccountInfo,
) -> Draft:
    """前受会費 / 受取会費: dues paid in advance, recognised in their 年度."""
    assert account is not None
    check_day(day, ctx.books.entries, ctx.today)
    if not year.contains(day):
        raise EntryRefused(
            f"前受会費の振替は{year.label}の日付 (ふつうは {year.start.isoformat()}) で書きます。"
        )
    line = dues_line(ctx, member, year)
    left = min(line.ahead, line.due - line.recognised)
    who = f"{member.name} ({member.id}) の{year.label}会費の前受け"
    if left <= 0:
        raise EntryRefused(f"{who}はありません (振り替える前受会費がありません)。")
    amount = _within(amount, left, who)
    narration = f"{year.label}会費 (前受会費からの振替)"
    return _draft(member, day, narration, account, income, amount)


def _within(amount: int | None, left: int, what: str) -> int:
    if amount is None:
        return left
    if amount <= 0:
        raise EntryRefused(f"金額は 1円以上で書いてください ({yen_text(amount)})。")
    if amount > left:
        raise EntryRefused(
            f"{what}の残りは {yen_text(left)} です。{yen_text(amount)} は多すぎます。"
        )
    return amount


def _draft(
    member: Member,
    day: datetime.date,
    narration: str,
    debit: AccountInfo,
    credit: AccountInfo,
    amount: int,
) -> Draft:
    return Draft(
        date=day,
        payee=short_name(member.name),
        narration=narration,
        meta=(("member", member.id),),
        lines=(Line(debit.name, amount), Line(credit.name, -amount)),
    )
