"""月末の残高確認: the passbook figure as a ``balance`` on the 1st of the next month.

Beancount's ``balance`` is the balance at the start of its day, so the balance at the end
of November is written on December 1st (README §2.3)::

    ; 11月末残高 (通帳・現金出納帳と照合)
    2026-12-01 balance Assets:1120-普通預金-ろうきん                  1569355 JPY

:func:`balance_check` compares the passbook with the books first (:attr:`BalanceCheck.difference`);
:func:`write_balance` writes only a figure that agrees: a difference means an entry is
missing or wrong, and is found, not papered over.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from connect_books.chart import CASH_ROLES
from connect_books.entry import (
    AMOUNT_COLUMN,
    Context,
    EntryRefused,
    width,
)
from connect_books.entry_lookup import find_account
from connect_books.entry_voucher import require_repository
from connect_books.journal_target import check_day
from connect_books.money import JPY, yen_text
from connect_books.writer import Written, append


@dataclass(frozen=True)
class BalanceCheck:
    """The passbook figure of one account at a month end, against the books."""

    account: str
    month_end: datetime.date
    passbook: int
    books: int
    #: Whether the books already hold a ``balance`` for that day and account.
    recorded: bool = False

    @property
    def day(self) -> datetime.date:
        """The date of the ``balance`` directive (the day after the month end)."""
        return self.month_end + datetime.timedelta(days=1)

    @property
    def difference(self) -> int:
        """Passbook − books (0 when they agree)."""
        return self.passbook - self.books

    def text(self) -> str:
        """The directive, with a comment naming the month."""
        number = f"{self.passbook} {JPY}"
        head = f"{self.day.isoformat()} balance {self.account}"
        gap = max(2, AMOUNT_COLUMN - width(head) - len(number))
        return (
            f"; {self.month_end.month}月末残高 (通帳・現金出納帳と照合)\n"
            f"{head}{' ' * gap}{number}\n"
        )


def month_end(text: str | datetime.date) -> datetime.date:
    """The last day of the month named by ``2026-11``, ``2026/11`` or a date in it.

    Raises:
      EntryRefused: not a month.
    """
    if isinstance(text, datetime.date):
        first = text.replace(day=1)
    else:
        match = re.fullmatch(r"\s*(\d{4})[-/](\d{1,2})(?:[-/]\d{1,2})?\s*", text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise EntryRefused(
                f"月 '{text}' が読めません。2026-11 のように書いてください。"
            )
        first = datetime.date(int(match.group(1)), int(match.group(2)), 1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return following - datetime.timedelta(days=1)


def balance_check(
    ctx: Context, account: str, passbook: int, month: str | datetime.date
) -> BalanceCheck:
    """The passbook figure against the books at the end of ``month``.

    Raises:
      EntryRefused / LookupRefused: not a cash, bank or fund account; a month whose
        balance may not be written (see :func:`connect_books.journal_target.check_day`).
    """
    info = find_account(
        ctx.chart, account, among=lambda a: a.role in CASH_ROLES, what="口座"
    )
    end = month_end(month)
    if end > ctx.today:  # (on the last day itself, once the bank has closed, it may)
        raise EntryRefused(
            f"{end.year}年{end.month}月はまだ終わっていません。月末の残高は月が終わってから"
            "書きます。"
        )
    check_day(end + datetime.timedelta(days=1), ctx.books.entries, ctx.today)
    day = end + datetime.timedelta(days=1)
    return BalanceCheck(
        account=info.name,
        month_end=end,
        passbook=passbook,
        books=ctx.index.balance(info.name, end),
        recorded=(info.name, day) in ctx.index.assertions,
    )


def write_balance(
    ctx: Context, check: BalanceCheck, *, command: str, git_commit: bool = False
) -> Written:
    """Write the ``balance`` into its 年度's journal, if the books agree with the passbook.

    Raises:
      EntryRefused: a difference (what to look for), or already recorded.
      WriteRefused: the rules refused it (nothing written).
    """
    if check.recorded:
        raise EntryRefused(
            f"{check.account} の {check.day.isoformat()} の残高確認は、もう書かれています。"
        )
    if check.difference:
        raise EntryRefused(
            f"{check.account} の{check.month_end.month}月末の残高が合いません: 通帳 "
            f"{yen_text(check.passbook)}、帳簿 {yen_text(check.books)}、差額 "
            f"{yen_text(check.difference)}。記帳漏れや金額の誤りを探して直してから、"
            "もう一度書いてください (帳簿は変わっていません)。"
        )
    target = ctx.target(check.day)
    if git_commit:
        require_repository(ctx.books.root)
    return append(
        ctx.books.path,
        target,
        check.text(),
        message=(
            f"Add balance {check.day.isoformat()} {check.account} {check.passbook} JPY"
            f" to {target.name} [{command}]"
        ),
        git_commit=git_commit,
        loaded=ctx.books,
    )
