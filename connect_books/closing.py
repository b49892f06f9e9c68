"""Closing a year (``connect-books close-year``): may the 年度 be settled, and what is recorded.

:func:`plan_closing` checks that the year can be settled now and computes the settlement
directive (:class:`Closing`); the command writes it with the safe writer. Everything it
refuses is a :class:`ClosingRefused`, said in Japanese.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data

from connect_books.balances import Totals
from connect_books.digest import year_records
from connect_books.errors import Refused
from connect_books.fiscal import FiscalYear
from connect_books.gate import forbidden_character
from connect_books.settledmemo import Memo
from connect_books.settlement import CHUNK_LINES, SETTLEMENT, read_settlements, seal

_BODY_FORBIDDEN = frozenset('"\\')
#: The only body that approves a settlement (第17条4, 第27条2).
GENERAL_ASSEMBLY = "総会"


class ClosingRefused(Refused):
    """The year cannot be settled now; ``str()`` says why, in Japanese."""


@dataclass(frozen=True)
class Closing:
    """A settlement ready to be written: the figures it approves and the entries it locks."""

    year: FiscalYear
    approved: datetime.date
    body: str
    audited: datetime.date | None
    totals: Totals
    lines: tuple[str, ...]
    #: The previous 年度's fingerprint ("" for the first year).
    previous: str = ""
    #: Why the approval departs from 第20条/第27条2 ("" when it does not).
    reason: str = ""

    @property
    def fingerprint(self) -> str:
        """The seal over the approval, the previous fingerprint and the entries list."""
        return seal(
            self.year,
            self.approved,
            self.body,
            self.audited,
            self.totals.net_assets,
            self.previous,
            self.reason,
            "\n".join(self.lines),
        )

    def directive(self) -> str:
        """The ``settlement`` directive, as written into ``settlements.beancount``."""
        net = format(self.totals.net_assets, "f")
        head = [
            f"; {self.year.label}の決算 ({self.body}承認)。connect-books close-year が記録しました。"
            "書き換えないでください。",
            f'{self.approved.isoformat()} custom "{SETTLEMENT}" {self.year.year} "{self.body}" {net} JPY',
        ]
        if self.audited is not None:
            head.append(f"  audited: {self.audited.isoformat()}")
        if self.previous:
            head.append(f'  previous: "{self.previous}"')
        if self.reason:
            head.append(f'  reason: "{self.reason}"')
        head.append(f'  fingerprint: "{self.fingerprint}"')
        for start in range(0, max(len(self.lines), 1), CHUNK_LINES):
            key = "entries" if start == 0 else f"entries-{start // CHUNK_LINES + 1}"
            chunk = "\n".join(self.lines[start : start + CHUNK_LINES])
            head.append(f'  {key}: "{chunk}"')
        return "\n".join(head) + "\n"


def plan_closing(
    entries: list[data.Directive],
    errors: list[Any],
    options_map: dict[str, Any],
    year: FiscalYear,
    *,
    approved: datetime.date,
    body: str = GENERAL_ASSEMBLY,
    audited: datetime.date | None = None,
    reason: str = "",
    today: datetime.date,
    base: Path | None = None,
    memo: Memo | None = None,
) -> Closing:
    """Check that ``year`` can be settled, and compute what its settlement records.

    ``memo`` (:attr:`connect_books.books.Books.memo`) spares digesting again the files
    whose entries an earlier load digested, and lets the check of the settlement, when
    it is written, reuse what is digested here.

    Raises:
      ClosingRefused: the year has not ended, the books have errors, a year-end balance is
        missing, the year or the one before is not in the state required, or a date is off.
        Errors in the books are listed as ``file:line: message`` (relative to ``base``).
    """
    _check_dates(year, approved=approved, body=body, audited=audited, today=today)
    settled, _ = read_settlements(entries)
    if year in settled:
        done = settled[year]
        raise ClosingRefused(
            f"{year.label}は決算済みです ({done.date.isoformat()} {done.body}承認)。"
            f"訂正は{year.next().label}の修正仕訳で行ってください。"
        )
    previous = year.previous()
    if previous is not None and previous not in settled:
        raise ClosingRefused(
            f"前年度 ({previous.label}) の決算がまだ記録されていません。"
            f"先に connect-books close-year {previous.year} を実行してください。"
        )
    _check_articles(year, approved=approved, body=body, audited=audited, reason=reason)
    errors = [
        e for e in errors if not _overdue_for(e, year)
    ]  # this very closing mends it
    if errors:
        from connect_books.books import format_error

        raise ClosingRefused(
            f"帳簿にエラーが{len(errors)}件あります。直してから決算してください:\n"
            + "\n".join(f"  {format_error(error, base)}" for error in errors)
        )
    _check_year_end_balances(entries, year)
    quick = memo.years(entries, [year], options_map) if memo is not None else None
    if quick is not None:
        lines, totals = quick[year]
        totals = totals + _padding_totals(entries, year, options_map)
    else:
        record = year_records(entries, [year], options_map)[year]
        lines, totals = sorted(record.lines), record.totals
    return Closing(
        year,
        approved,
        body,
        audited,
        totals,
        tuple(lines),
        previous=settled[previous].fingerprint if previous is not None else "",
        reason=reason,
    )


def _padding_totals(
    entries: list[data.Directive], year: FiscalYear, options_map: dict[str, Any]
) -> Totals:
    """What Beancount's ``pad`` added to the books up to the year's end (the memo's
    totals leave it out: :meth:`connect_books.settledmemo.Memo.years`)."""
    from connect_books.balances import totals_at
    from connect_books.beancompat import is_padding, pad_locations

    pads = pad_locations(entries)
    if not pads:
        return Totals()
    padding = [e for e in entries if e.date <= year.end and is_padding(e, pads)]
    return totals_at(padding, options_map, [year.end])[year.end]


def _overdue_for(error: Any, year: FiscalYear) -> bool:
    from connect_books.plugins.settlement import SettlementOverdue

    return isinstance(error, SettlementOverdue) and error.message.startswith(year.label)


def _check_articles(
    year: FiscalYear,
    *,
    approved: datetime.date,
    body: str,
    audited: datetime.date | None,
    reason: str,
) -> None:
    """Refuse an approval that departs from the articles, unless a reason is recorded
    (blank is none)."""
    if reason.strip(" \u3000\t"):
        if (
            forbidden_character(reason)
            or _BODY_FORBIDDEN & set(reason)
            or "\n" in reason
        ):
            raise ClosingRefused(
                '理由 (--reason) に改行・制御文字や " \\ は使えません。一行の文で書いてください。'
            )
        return
    departures = []
    if body != GENERAL_ASSEMBLY:
        departures.append(
            f"決算を承認できるのは総会だけです (第17条4)。{body}の承認は決算の承認になりません"
        )
    if approved > year.settlement_deadline:
        departures.append(
            f"総会は期末から3か月以内 ({year.settlement_deadline.isoformat()} まで) に開き、"
            f"決算を承認します (第20条・第27条2)。承認日 {approved.isoformat()} はその後です"
        )
    if audited is None:
        departures.append(
            "決算は監事の監査を経て総会で承認します (第27条2)。監査日を --audited で指定してください"
        )
    if departures:
        raise ClosingRefused(
            "定款どおりでない決算は記録しません:\n"
            + "\n".join(f"  ・{d}。" for d in departures)
            + "\nやむを得ない事情があるときは、その理由を --reason で書いてください"
            " (決算の記録と監査資料に残ります)。"
        )


def _check_dates(
    year: FiscalYear,
    *,
    approved: datetime.date,
    body: str,
    audited: datetime.date | None,
    today: datetime.date,
) -> None:
    end = year.end.isoformat()
    if today <= year.end:
        raise ClosingRefused(
            f"{year.label}はまだ終わっていません (期末 {end})。決算は年度が終わってから記録します。"
        )
    if not body or _BODY_FORBIDDEN & set(body) or any(c.isspace() for c in body):
        raise ClosingRefused(
            f"承認した機関の名前 '{body}' に空白や \" \\ は使えません。"
        )
    if not year.end < approved <= today:
        raise ClosingRefused(
            f"総会承認日 {approved.isoformat()} は期末 ({end}) より後で、今日"
            f" ({today.isoformat()}) までの日付にしてください。"
        )
    if audited is not None and not year.end < audited <= approved:
        raise ClosingRefused(
            f"監査日 {audited.isoformat()} は期末 ({end}) より後で、総会承認日"
            f" ({approved.isoformat()}) までの日付にしてください。"
        )


def _check_year_end_balances(entries: list[data.Directive], year: FiscalYear) -> None:
    """Refuse unless every cash, bank and fund account open at 3/31 has a 4/1 balance."""
    from connect_books.chart import CASH_ROLES, Chart

    asserted = {
        e.account
        for e in entries
        if type(e) is data.Balance and e.date == year.end_exclusive
    }
    missing = [
        info.name
        for info in Chart.from_entries(entries).with_role(*CASH_ROLES)
        if info.opened <= year.end
        and (info.closed is None or info.closed > year.end)
        and info.name not in asserted
    ]
    if missing:
        day = year.end_exclusive.isoformat()
        raise ClosingRefused(
            f"期末 ({year.end.isoformat()}) の残高の確認がない口座があります。通帳・現金の残高を"
            f" {day} 付の balance で書いてください"
            " (balance はその日の始まりの残高です):\n"
            + "\n".join(f"  {day} balance {name}  ○○○ JPY" for name in missing)
        )
