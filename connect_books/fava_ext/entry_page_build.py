"""The 記帳 page's forms, from the submitted values to the entry they write.

:func:`build` turns what a form of :mod:`connect_books.fava_ext.entry_page_forms` posted
into what :mod:`connect_books.entry_forms`, :mod:`connect_books.entry_dues` and
:mod:`connect_books.entry_balance` build for the command line too: a
:class:`~connect_books.entry.Draft`, or a :class:`~connect_books.entry_balance.BalanceCheck`.
:func:`preview` says what would be written and where; nothing here writes.

A value that cannot be read is refused as a :class:`FieldRefused`, which names the field
so that the page shows the Japanese message beside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from connect_books import entry_forms
from connect_books.entry import (
    Context,
    Draft,
    EntryRefused,
    check,
    clean_text,
    parse_amount,
    parse_date,
)
from connect_books.entry_balance import BalanceCheck, balance_check
from connect_books.entry_dues import dues_account, dues_entry
from connect_books.entry_lookup import find_member
from connect_books.errors import Refused
from connect_books.fiscal import FiscalYear
from connect_books.journal_target import check_day
from connect_books.money import parse_yen, yen_text

T = TypeVar("T")


class FieldRefused(Refused):
    """A value of one field that cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Preview:
    """What a confirmed form writes: the text, the file, and for a balance the figures."""

    text: str
    target: str
    balance: BalanceCheck | None = None
    #: Why it cannot be written as it is (a balance that differs); "" when it can.
    problem: str = ""
    #: The transaction in words: date, payee, narration.
    heading: tuple[str, str, str] = ("", "", "")
    #: Its lines as a 仕訳: account, debit, credit (yen text, "" on the other side).
    rows: tuple[tuple[str, str, str], ...] = ()


def _on(field: str, make: Callable[[], T]) -> T:
    """``make()``, its refusal tied to ``field``."""
    try:
        return make()
    except Refused as refused:
        raise FieldRefused(field, str(refused)) from None


def _value(values: Mapping[str, str], name: str) -> str:
    return values.get(name, "").strip()


def _text(
    values: Mapping[str, str], name: str, what: str, *, required: bool = False
) -> str:
    """Free text, checked (line breaks, directive words, length) and tied to its field."""
    raw = values.get(name, "")
    return _on(name, lambda: clean_text(raw, what, required=required))


def _day(ctx: Context, values: Mapping[str, str]) -> datetime.date:
    def read() -> datetime.date:
        day = parse_date(_value(values, "date"))
        check_day(day, ctx.books.entries, ctx.today)
        return day

    return _on("date", read)


def _yen(values: Mapping[str, str], name: str = "amount") -> int | None:
    text = _value(values, name)
    return _on(name, lambda: parse_amount(text)) if text else None


def _required_yen(values: Mapping[str, str], name: str = "amount") -> int:
    amount = _yen(values, name)
    if amount is None:
        raise FieldRefused(name, "金額を書いてください。")
    return amount


def _chosen(values: Mapping[str, str], name: str, what: str) -> str:
    chosen = _value(values, name)
    if not chosen:
        raise FieldRefused(name, f"{what}を選んでください。")
    return chosen


def _build_dues(ctx: Context, values: Mapping[str, str], _: Path | None) -> Draft:
    day = _day(ctx, values)
    member = _on(
        "member",
        lambda: find_member(ctx.books.roster, _chosen(values, "member", "会員団体")),
    )
    year_text = _value(values, "year")
    year = _on("year", lambda: _year(year_text)) if year_text else None
    account_text = _value(values, "account")
    account = (
        _on("account", lambda: dues_account(ctx, account_text))
        if account_text
        else None
    )
    amount = _yen(values)
    return dues_entry(ctx, member, day=day, year=year, amount=amount, account=account)


def _year(text: str) -> FiscalYear:
    try:
        return FiscalYear.parse(text)
    except ValueError as exc:
        raise EntryRefused(str(exc)) from None


def _build_donation(ctx: Context, values: Mapping[str, str], _: Path | None) -> Draft:
    day = _day(ctx, values)
    amount = _required_yen(values)
    narration = _text(values, "narration", "摘要")
    return entry_forms.donation(
        ctx,
        day=day,
        amount=amount,
        supporter=_value(values, "supporter") or None,
        fund=_value(values, "fund") or None,
        account=_value(values, "account") or None,
        narration=narration or None,
    )


def _build_grant(ctx: Context, values: Mapping[str, str], _: Path | None) -> Draft:
    day = _day(ctx, values)
    grantor = _text(values, "payee", "助成元", required=True)
    amount = _required_yen(values)
    restricted = values.get("restricted") == "1"
    purpose = _text(values, "purpose", "使途")
    if restricted and not purpose:
        raise FieldRefused(
            "purpose", "使途の制約がある助成金は、その使途を書いてください。"
        )
    return entry_forms.grant_received(
        ctx,
        day=day,
        grantor=grantor,
        amount=amount,
        narration=_text(values, "narration", "摘要", required=True),
        restricted=restricted,
        purpose=purpose,
        account=_value(values, "account") or None,
    )


def _build_expense(
    ctx: Context, values: Mapping[str, str], voucher: Path | None
) -> Draft:
    day = _day(ctx, values)
    line = _chosen(values, "line", "科目")
    info = ctx.chart.get(line)
    if info is None:
        raise FieldRefused("line", f"科目 {line} は科目表にありません。")
    activity = info.activity if info.section == entry_forms.ACTIVITY_SECTION else None
    amount = _required_yen(values)
    payee = _text(values, "payee", "支払先", required=True)
    narration = _text(values, "narration", "摘要", required=True)
    return _on(
        "line",
        lambda: entry_forms.expense(
            ctx,
            day=day,
            activity=activity,
            line=line,
            amount=amount,
            paid_from=_value(values, "paid_from") or None,
            payee=payee,
            narration=narration,
            voucher=voucher,
        ),
    )


def _build_grant_payment(
    ctx: Context, values: Mapping[str, str], _: Path | None
) -> Draft:
    day = _day(ctx, values)
    decision = _chosen(values, "decision", "助成の決定")
    amount = _yen(values)
    narration = _text(values, "narration", "摘要")
    return entry_forms.grant_payment(
        ctx, day=day, decision=decision, amount=amount, narration=narration or None
    )


def _build_transfer(ctx: Context, values: Mapping[str, str], _: Path | None) -> Draft:
    day = _day(ctx, values)
    source = _chosen(values, "source", "振替元")
    destination = _chosen(values, "destination", "振替先")
    amount = _required_yen(values)
    narration = _text(values, "narration", "摘要")
    return entry_forms.transfer(
        ctx,
        day=day,
        source=source,
        destination=destination,
        amount=amount,
        decision=_value(values, "decision") or None,
        narration=narration or None,
    )


def _build_balance(
    ctx: Context, values: Mapping[str, str], _: Path | None
) -> BalanceCheck:
    month = _chosen(values, "month", "月")
    account = _chosen(values, "account", "口座")
    text = _value(values, "passbook")
    if not text:
        raise FieldRefused("passbook", "通帳の残高を書いてください。")
    try:
        passbook = parse_yen(text)
    except ValueError as exc:
        raise FieldRefused("passbook", f"通帳の残高: {exc}") from None
    return _on("month", lambda: balance_check(ctx, account, passbook, month))


_BUILDERS: dict[
    str, Callable[[Context, Mapping[str, str], Path | None], Draft | BalanceCheck]
] = {
    "dues": _build_dues,
    "donation": _build_donation,
    "grant": _build_grant,
    "expense": _build_expense,
    "grant-payment": _build_grant_payment,
    "transfer": _build_transfer,
    "balance": _build_balance,
}


def build(
    ctx: Context, name: str, values: Mapping[str, str], voucher: Path | None = None
) -> Draft | BalanceCheck:
    """The entry the form ``name`` makes of ``values`` (and the uploaded ``voucher``).

    Raises:
      FieldRefused: a value that cannot be used (the field is named).
      Refused: the entry cannot be made (EntryRefused, LookupRefused, DateRefused …).
    """
    builder = _BUILDERS.get(name)
    if builder is None:
        raise EntryRefused(f"「{name}」という記帳の種類はありません。")
    return builder(ctx, values, voucher)


def preview(ctx: Context, made: Draft | BalanceCheck) -> Preview:
    """What confirming writes (after every check that needs no write).

    Raises:
      Refused: the entry cannot be written (the same refusals as the write).
    """
    if isinstance(made, BalanceCheck):
        if made.recorded:
            raise EntryRefused(
                f"{made.account} の {made.day.isoformat()} の残高確認は、もう書かれています。"
            )
        problem = ""
        if made.difference:
            problem = (
                f"通帳と帳簿の残高に {yen_text(made.difference)} の差額があるので、書きません。"
                "記帳漏れや金額の誤りを探して直してから、もう一度確かめてください。"
            )
        return Preview(made.text(), ctx.target(made.day).name, made, problem)
    check(ctx, made)
    rows = tuple(
        (
            _account_label(line.account),
            yen_text(amount) if amount > 0 else "",
            yen_text(-amount) if amount < 0 else "",
        )
        for line, amount in zip(made.lines, made.amounts(), strict=True)
    )
    heading = (made.date.isoformat(), made.payee or "", made.narration)
    return Preview(made.text(), ctx.target(made.date).name, heading=heading, rows=rows)


def _account_label(account: str) -> str:
    """``管理費 5213 通信運搬費`` for ``Expenses:5210-管理費:5213-通信運搬費``."""
    parts = [p.split("-", 1)[-1] for p in account.split(":")[1:-1]]
    code, _, name = account.rsplit(":", 1)[-1].partition("-")
    return " ".join([*parts, f"{code} {name}" if name else code])
