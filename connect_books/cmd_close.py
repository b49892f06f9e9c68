"""``connect-books close-year``: record the settlement the 総会 approved (第27条2).

Thin: check and compute with :func:`connect_books.settlement.plan_closing`, write with the
safe writer into ``settlements.beancount`` next to the main file, print the figures.
"""

from __future__ import annotations

import datetime
import sys
import unicodedata
from pathlib import Path

import click

from connect_books.fiscal import FiscalYear, jdate
from connect_books.settlement import ClosingRefused, plan_closing, yen

#: The file, next to the main file, that holds the settlement directives.
SETTLEMENTS_FILE = "settlements.beancount"


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _refuse(message: str) -> None:
    click.echo(f"✗ {message}", err=True)
    sys.exit(1)


@click.command("close-year")
@click.argument("year")
@click.argument("ledger", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--date",
    "approved",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="総会で決算を承認した日 (既定: 今日)",
)
@click.option("--body", default="総会", show_default=True, help="決算を承認した機関")
@click.option(
    "--audited", type=click.DateTime(formats=["%Y-%m-%d"]), help="監事が監査した日"
)
@click.option(
    "--git", "git_commit", is_flag=True, help="書いたファイルを git commit する"
)
def close_year(
    year: str,
    ledger: str | None,
    approved: datetime.datetime | None,
    body: str,
    audited: datetime.datetime | None,
    git_commit: bool,
) -> None:
    """年度の決算を記録し、その年度の記録を確定する (第27条2)。

    YEAR は 2025 や 2025年度。年度が終わり、帳簿にエラーがなく、現金・預金・基金の口座すべてに
    期末の balance (4月1日付) があり、前年度が決算済みのときだけ記録します。
    """
    from connect_books.books import load
    from connect_books.writer import CommitFailed, WriteRefused, append

    try:
        fiscal_year = FiscalYear.parse(year)
    except ValueError as exc:
        _refuse(str(exc))
        return
    try:
        books = load(ledger)
    except FileNotFoundError as exc:
        _refuse(str(exc))
        return
    today = datetime.date.today()
    try:
        closing = plan_closing(
            books.entries,
            books.errors,
            books.options,
            fiscal_year,
            approved=approved.date() if approved else today,
            body=body,
            audited=audited.date() if audited else None,
            today=today,
            base=Path.cwd(),
        )
    except ClosingRefused as exc:
        _refuse(str(exc))
        return
    target = books.root / SETTLEMENTS_FILE
    message = f"Close FY{fiscal_year.year}: settlement approved by {body} on {closing.approved.isoformat()}"
    try:
        append(
            books.path,
            target,
            closing.directive(),
            message=message,
            git_commit=git_commit,
        )
    except WriteRefused as exc:
        _refuse(str(exc))
        return
    except CommitFailed as exc:
        click.echo(f"! {exc}", err=True)

    totals = closing.totals
    rows = [
        ("年度", fiscal_year.label),
        ("期間", fiscal_year.period_label),
        (f"{body}承認日", jdate(closing.approved)),
        *([("監査日", jdate(closing.audited))] if closing.audited else []),
        ("資産合計", yen(totals.total_assets)),
        ("負債合計", yen(totals.total_liabilities)),
        ("次期繰越正味財産", yen(totals.net_assets)),
        ("確定した記録", f"{len(closing.lines)}件"),
        ("fingerprint", closing.fingerprint),
    ]
    click.echo(f"✓ {fiscal_year.label}の決算を記録しました ({target.name})。")
    width = max(_width(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"  {label}{' ' * (width - _width(label))}  {value}")
    click.echo(
        f"{fiscal_year.label}の記録は確定しました。訂正は{fiscal_year.next().label}の修正仕訳"
        " (過年度損益修正) で行います。connect-books check で確認できます。"
    )
