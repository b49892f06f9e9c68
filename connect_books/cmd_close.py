"""``connect-books close-year``: record the settlement the 総会 approved (第27条2).

Thin: check and compute with :func:`connect_books.closing.plan_closing`, write with the
safe writer into ``settlements.beancount`` next to the main file, print the figures. A
refusal (:class:`~connect_books.closing.ClosingRefused`,
:class:`~connect_books.writer.WriteRefused`) is printed by the command group as ``エラー: …``.
"""

from __future__ import annotations

import datetime
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import click

from connect_books.cliparams import (
    DATE,
    FISCAL_YEAR,
    commit_option,
    ledger_argument,
    load_books,
)
from connect_books.fiscal import FiscalYear, jdate

if TYPE_CHECKING:
    from connect_books.closing import Closing

#: The file, next to the main file, that holds the settlement directives.
SETTLEMENTS_FILE = "settlements.beancount"


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@click.command("close-year")
@click.argument("year", type=FISCAL_YEAR)
@ledger_argument
@click.option(
    "--date", "approved", type=DATE, help="総会で決算を承認した日 (既定: 今日)"
)
@click.option("--body", default="総会", show_default=True, help="決算を承認した機関")
@click.option("--audited", type=DATE, help="監事が監査した日")
@click.option(
    "--reason",
    default="",
    help="定款どおりでない承認 (総会以外・期末から3か月より後・監査日なし) の理由。決算の記録に残る",
)
@commit_option
def close_year(
    year: FiscalYear,
    ledger: str | None,
    approved: datetime.date | None,
    body: str,
    audited: datetime.date | None,
    reason: str,
    git_commit: bool,
) -> None:
    """年度の決算を記録し、その年度の記録を確定する (第27条2)。

    YEAR は 2025 や 2025年度。年度が終わり、帳簿にエラーがなく、現金・預金・基金の口座すべてに
    期末の balance (4月1日付) があり、前年度が決算済みで、監事の監査 (--audited) を経て
    期末から3か月以内に総会が承認したときだけ記録します。
    """
    from connect_books.closing import plan_closing
    from connect_books.money import yen_text
    from connect_books.writer import CommitFailed, append

    books = load_books(ledger, clean=False)  # plan_closing lists the books' errors
    today = datetime.date.today()
    closing = plan_closing(
        books.entries,
        books.errors,
        books.options,
        year,
        approved=approved or today,
        body=body,
        audited=audited,
        reason=reason,
        today=today,
        base=Path.cwd(),
        memo=books.memo,
    )
    target = books.root / SETTLEMENTS_FILE
    _refuse_a_silent_second_settlement(target, closing)
    message = f"Close FY{year.year}: settlement approved by {body} on {closing.approved.isoformat()}"
    try:
        append(
            books.path,
            target,
            closing.directive(),
            message=message,
            git_commit=git_commit,
            loaded=books,
        )
    except CommitFailed as exc:
        click.echo(f"! {exc}", err=True)

    totals = closing.totals
    rows = [
        ("年度", year.label),
        ("期間", year.period_label),
        (f"{body}承認日", jdate(closing.approved)),
        *([("監査日", jdate(closing.audited))] if closing.audited else []),
        *([("理由", closing.reason)] if closing.reason else []),
        ("資産合計", yen_text(totals.total_assets)),
        ("負債合計", yen_text(totals.total_liabilities)),
        ("次期繰越正味財産", yen_text(totals.net_assets)),
        ("確定した記録", f"{len(closing.lines)}件"),
        ("fingerprint", closing.fingerprint),
    ]
    click.echo(f"✓ {year.label}の決算を記録しました ({target.name})。")
    width = max(_width(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"  {label}{' ' * (width - _width(label))}  {value}")
    click.echo(
        f"{year.label}の記録は確定しました。訂正は{year.next().label}の修正仕訳"
        " (過年度損益修正) で行います。connect-books check で確認できます。"
    )


def _refuse_a_silent_second_settlement(target: Path, closing: Closing) -> None:
    """Refuse, without ``--reason``, a settlement of a 年度 whose earlier settlement
    the books' git history holds with another fingerprint (deleted, then recorded again)."""
    from connect_books.closing import ClosingRefused
    from connect_books.settlement_history import recorded_before

    if closing.reason:
        return
    earlier = recorded_before(target, closing.year)
    if not earlier or any(r.fingerprint == closing.fingerprint for r in earlier):
        return
    first = earlier[-1]
    raise ClosingRefused(
        f"{closing.year.label}の決算は前にも記録されています (git の履歴: {first.day} の版、"
        f"fingerprint {first.fingerprint[:16]}…)。その記録と違う決算を黙って記録し直すことは"
        "できません。消した記録を git から戻してください。総会が決算を承認し直したときは、"
        "その理由を --reason で書いてください (決算の記録と監査資料に残ります)。"
    )


@click.command("verify")
@click.argument("year", type=FISCAL_YEAR)
@click.argument("fingerprint")
@ledger_argument
def verify(year: FiscalYear, fingerprint: str, ledger: str | None) -> None:
    """決算の指紋 (監査資料・監査報告書に印刷したもの) で、帳簿が承認どおりかを確かめる。

    FINGERPRINT は 64 桁 (先頭 16 桁以上でも可)。空白やハイフンは無視します。
    """
    from connect_books.verification import verify_settlement

    result = verify_settlement(load_books(ledger, clean=False), year, fingerprint)
    for line in result.lines:
        click.echo(line)
    if not result.ok:
        sys.exit(1)
