"""``connect-books report``: one statement as JSON, CSV or an Excel workbook. Thin.

The rules (formats, files, which 年度 can be reported) are in
:mod:`connect_books.reports.output`; a refusal is printed by the command group.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import click

from connect_books.cliparams import DATE, FISCAL_YEAR, ledger_argument, load_books
from connect_books.fiscal import FiscalYear


@click.command("report")
@click.argument("name")
@ledger_argument
@click.option(
    "--year",
    type=FISCAL_YEAR,
    required=True,
    metavar="YEAR",
    help="年度 (2025 や 2025年度)",
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    metavar="DATE",
    help="基準日 (年度の途中の実績: 2026-09-30。終わっていない年度の既定は今日)",
)
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    help="出力形式: json, csv, xlsx",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="出力先のファイル (xlsx では必須)",
)
def report(
    name: str,
    ledger: str | None,
    year: FiscalYear,
    as_of: datetime.date | None,
    fmt: str,
    output: str | None,
) -> None:
    """計算書を作る。NAME: budget (収支計算書), activity (活動計算書), balance-sheet (貸借対照表),
    inventory (財産目録), dues (会費納入状況), funds (基金の状況), tie-out (監事の照合), trend (月次推移),
    withholding (源泉徴収の状況), fixed-assets (固定資産台帳), journal (仕訳帳),
    general-ledger (総勘定元帳), cash-book (現金出納帳・預金出納帳)。
    """
    from connect_books.reports import output as out
    from connect_books.reports import registry

    chosen = out.output_format(fmt, output)
    key = registry.canonical(name)
    books = load_books(ledger, clean=False)
    if books.errors:
        click.echo(out.errors_notice(len(books.errors)), err=True)
    period = out.period_for(books.entries, year, as_of, datetime.date.today())
    result = registry.make(registry.index_of(books), key, period)
    if books.errors:
        result = dataclasses.replace(result, warning=out.errors_mark(len(books.errors)))
    if output is None:
        click.echo(out.render(result, chosen), nl=False)
        return
    out.write(result, chosen, Path(output))
    click.echo(f"✓ {result.title} ({year.label}) を {output} に書きました。", err=True)
