"""What an import of one statement would do to the books, decided before anything is written.

:func:`plan_import` is the library call behind ``connect-books import`` (and, later, the
Fava import page): it checks the statement's dates against the open 年度, proposes an
entry for every line (:func:`~connect_books.importers.importer.propose`), sorts the lines
into new, already imported (their ``import-key`` is in the books) and unmatched, checks
that the statement's closing balance agrees with the books after the import, and offers
the month-end ``balance`` (dated the 1st of the next month, README §2.3; or, for a
statement that stops before the month end, dated the day after its last line). Nothing is
written here: :meth:`ImportPlan.text` is what the caller appends, in one
:func:`connect_books.writer.append`, so the whole import lands or nothing does.
"""

from __future__ import annotations

import datetime
import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount

from connect_books.books import Books
from connect_books.chart import CASH_ROLES, Chart
from connect_books.errors import Refused, did_you_mean
from connect_books.fiscal import FiscalYear
from connect_books.importers.importer import Proposal, propose
from connect_books.importers.openyear import journal, statement_year
from connect_books.importers.rules import Rules
from connect_books.importers.statement import Statement
from connect_books.money import JPY, posting_yen, yen_text

#: The display columns where amounts end in the journal (as in ``ledger/2026.beancount``).
AMOUNT_END = 70
#: Metadata (not written) marking an offered balance as the month-end one.
MONTH_END = "__month_end__"
BALANCE_END = 73


class ClosingRefused(Refused):
    """The statement's closing balance does not agree with the books after the import."""


@dataclass(frozen=True)
class ImportPlan:
    """The import of one statement into one account, not yet written."""

    statement: Statement
    account: str
    year: FiscalYear
    #: The journal the entries go to (``ledger/2026.beancount``).
    target: Path
    new: tuple[Proposal, ...]
    imported: tuple[Proposal, ...]
    unmatched: tuple[Proposal, ...]
    #: The account's balance in the books at the end of the statement's last day, after
    #: the import (None when the statement shows no balance).
    books_closing: int | None
    #: The balance assertion offered (month-end, or the day after the last line), if any.
    balance: data.Balance | None
    #: Why no month-end balance is offered (Japanese), when none is.
    balance_note: str = ""

    def text(self, *, with_balance: bool = True) -> str:
        """The Beancount text to append: the new entries, then the offered balance."""
        blocks = [_transaction_text(p.entry) for p in self.new]
        if with_balance and self.balance is not None:
            blocks.append(_balance_text(self.balance))
        if not blocks:
            return ""
        path = self.statement.path
        first, last = self.statement.first_date, self.statement.last_date
        head = (
            f"; 銀行明細の取込: {_safe(path.name)} ({self.statement.layout.name}、"
            f"{first}〜{last}、新規 {len(self.new)}件)\n"
        )
        return head + "\n".join(blocks)


def plan_import(
    books: Books,
    statement: Statement,
    account: str,
    rules: Rules,
    today: datetime.date,
) -> ImportPlan:
    """Plan the import of ``statement`` into ``account`` of ``books``.

    Raises:
      YearRefused: a date after today, in a settled 年度, or lines in two 年度.
      Refused: the account is not an open cash, bank or fund account on those dates.
      ClosingRefused: the statement's closing balance disagrees with the books.
    """
    name = statement.path.name
    year = statement_year(statement.lines, books.entries, today, name)
    _check_account(Chart.from_entries(books.entries), account, statement)
    new: list[Proposal] = []
    imported: list[Proposal] = []
    unmatched: list[Proposal] = []
    for proposal in propose(statement, account, rules, books.entries):
        if proposal.imported:
            imported.append(proposal)
        elif proposal.matched:
            new.append(proposal)
        else:
            unmatched.append(proposal)
    last = statement.last_date
    assert last is not None  # statement_year refuses a statement without lines
    closing = statement.closing_balance
    books_closing = None
    if closing is not None:
        before = _balance(books.entries, account, last)
        books_closing = before + sum(p.line.amount for p in new)
        missing = sum(p.line.amount for p in unmatched)
        if books_closing + missing != closing:
            raise ClosingRefused(
                _closing_message(name, last, closing, books_closing, missing)
            )
    balance, note = _offered_balance(books, statement, account, today, bool(unmatched))
    return ImportPlan(
        statement=statement,
        account=account,
        year=year,
        target=journal(books.path, books.entries, last, today),
        new=tuple(new),
        imported=tuple(imported),
        unmatched=tuple(unmatched),
        books_closing=books_closing,
        balance=balance,
        balance_note=note,
    )


def _check_account(chart: Chart, account: str, statement: Statement) -> None:
    info = chart.get(account)
    if info is None:
        hint = did_you_mean(account, chart.accounts).replace("近いID", "近い科目")
        raise Refused(f"科目 {account} は open されていません。{hint}")
    if info.role not in CASH_ROLES:
        raise Refused(
            f"科目 {account} は現金・預金・基金の口座 (role: bank など) ではありません。"
            "明細は預金の口座に取り込みます (--account で指定してください)。"
        )
    first, last = statement.first_date, statement.last_date
    if first is not None and first < info.opened:
        raise Refused(
            f"明細の最初の日 {first} は {account} の開設 ({info.opened}) より前です。"
        )
    if last is not None and info.closed is not None and last >= info.closed:
        raise Refused(
            f"明細の最後の日 {last} に {account} は閉じられています ({info.closed})。"
        )


def _balance(
    entries: Sequence[data.Directive], account: str, day: datetime.date
) -> int:
    """The account's balance at the end of ``day``."""
    total = Decimal(0)
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.date <= day:
            for posting in entry.postings:
                if posting.account == account:
                    total += posting_yen(posting)
    return int(total)


def _closing_message(
    name: str, last: datetime.date, closing: int, books: int, missing: int
) -> str:
    unassigned = f" (未割当の行 {yen_text(missing)} を含めて)" if missing else ""
    return (
        f"{name} の最終残高 ({last}) {yen_text(closing)} と、取り込んだ後の帳簿の残高"
        f" {yen_text(books + missing)}{unassigned} が合いません (差 {yen_text(closing - books - missing)})。"
        "帳簿に明細にない取引や金額の違う取引がないか、前の明細を取り込み忘れていないか"
        "確かめてください。何も書き込んでいません。"
    )


def _offered_balance(
    books: Books,
    statement: Statement,
    account: str,
    today: datetime.date,
    unmatched: bool,
) -> tuple[data.Balance | None, str]:
    """The balance assertion to offer from the statement's closing balance, or why not.

    The month-end balance (dated the 1st of the next month, README §2.3) when the
    statement covers the whole month (its last line is on the month's last day, or its
    preamble says the period ran to the month end) and the books hold nothing later in
    that month for the account; otherwise the balance at the start of the day after the
    statement's last line, which a complete statement always proves. Never for a day not
    yet over, nor while some lines are unmatched (the books would not agree yet).
    """
    last, closing = statement.last_date, statement.closing_balance
    assert last is not None
    if closing is None:
        return None, "明細に残高の列がないため、残高を照合できません。"
    if unmatched:
        return None, "未割当の行があるため、残高確認 (balance) はまだ書きません。"
    if last >= today:
        return (
            None,
            "明細の最終日が今日のため (途中の可能性があります)、残高確認は書きません。",
        )
    following = datetime.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    covered = max(last, statement.period_end or last)
    later = [
        entry.date
        for entry in books.entries
        if isinstance(entry, data.Transaction)
        and last < entry.date < following
        and any(p.account == account for p in entry.postings)
    ]
    month_end = covered >= following - datetime.timedelta(days=1) and not later
    day = (
        following
        if month_end and following <= today
        else last + datetime.timedelta(days=1)
    )
    for entry in books.entries:
        if (
            isinstance(entry, data.Balance)
            and entry.account == account
            and entry.date == day
        ):
            return None, f"{day} 付の残高確認は帳簿にあります。"
    meta = data.new_metadata(str(statement.path), 0)
    meta[MONTH_END] = day == following
    return data.Balance(
        meta, day, account, Amount(Decimal(closing), JPY), None, None
    ), ""


@functools.lru_cache(maxsize=1024)  # account names repeat
def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _safe(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def _amount_line(account: str, number: Decimal) -> str:
    figure = str(int(number)) if number == number.to_integral_value() else str(number)
    gap = max(AMOUNT_END - 2 - _width(account) - len(figure), 2)
    return f"  {account}{' ' * gap}{figure} JPY"


def _transaction_text(entry: data.Transaction) -> str:
    head = f"{entry.date} {entry.flag}"
    if entry.payee:
        head += f" {_quoted(entry.payee)}"
    head += f" {_quoted(entry.narration or '')}"
    lines = [head]
    for key, value in entry.meta.items():
        if key not in ("filename", "lineno") and not key.startswith("__"):
            lines.append(f"  {key}: {_quoted(str(value))}")
    for posting in entry.postings:
        assert posting.units is not None and posting.units.number is not None
        lines.append(_amount_line(posting.account, posting.units.number))
    return "\n".join(lines) + "\n"


def _balance_text(entry: data.Balance) -> str:
    assert entry.amount.number is not None
    head = f"{entry.date} balance {entry.account}"
    figure = str(int(entry.amount.number))
    gap = max(BALANCE_END - _width(head) - len(figure), 2)
    if entry.meta.get(MONTH_END):
        label = f"{(entry.date - datetime.timedelta(days=1)).month}月末残高"
    else:
        label = f"{entry.date - datetime.timedelta(days=1)} の終わりの残高"
    comment = f"; {label} (銀行明細の最終残高)"
    return f"{comment}\n{head}{' ' * gap}{figure} JPY\n"
