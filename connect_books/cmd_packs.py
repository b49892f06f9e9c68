"""``connect-books board-pack`` and ``audit-pack``: the workbooks people print.

Thin: parse the arguments, load the books, call one function of
:mod:`connect_books.reports.workbooks`, save, print the path. openpyxl and the
reports are imported inside the commands so that ``connect-books --help`` stays fast.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from connect_books.fiscal import FiscalYear

if TYPE_CHECKING:
    from collections.abc import Callable

    from openpyxl import Workbook

    from connect_books.books import Books

#: Where the workbooks go when ``-o`` is not given (relative to the current folder).
OUT_DIR = Path("out")
#: How many of the books' errors to show before refusing.
_SHOWN_ERRORS = 10


def _year(_ctx: click.Context, _param: click.Parameter, value: str) -> FiscalYear:
    """``2026``, ``2026年度`` or ``FY2026``."""
    try:
        return FiscalYear.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _date(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> datetime.date | None:
    """``YYYY-MM-DD``."""
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        msg = f"日付 '{value}' が読めません。2026-11-30 のように書いてください。"
        raise click.BadParameter(msg) from None


def board_pack_name(year_label: str, as_of: datetime.date) -> Path:
    """``out/2026年度_運営委員会資料_2026-11-30.xlsx``."""
    return OUT_DIR / f"{year_label}_運営委員会資料_{as_of.isoformat()}.xlsx"


def audit_pack_name(year_label: str) -> Path:
    """``out/2025年度_監査資料.xlsx``."""
    return OUT_DIR / f"{year_label}_監査資料.xlsx"


def _load(ledger: str | None) -> Books:
    """The books, or a Japanese refusal when they cannot be read or have errors."""
    from connect_books.books import format_error, load

    try:
        books = load(ledger)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    if books.errors:
        base = Path.cwd()
        for error in books.errors[:_SHOWN_ERRORS]:
            click.echo(format_error(error, base), err=True)
        raise click.ClickException(
            f"帳簿に{len(books.errors)}件のエラーがあるため、資料を作りません。"
            "connect-books check で確認して直してから、もう一度実行してください。"
        )
    return books


def _made(make: Callable[..., Workbook], *args: object) -> Workbook:
    """Call a pack function; a report's refusal (ReportError) becomes a CLI error."""
    from connect_books.reports.common import ReportError

    try:
        return make(*args)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("board-pack")
@click.option(
    "--year",
    "year",
    callback=_year,
    required=True,
    metavar="YEAR",
    help="年度 (例: 2026)",
)
@click.option(
    "--as-of",
    "as_of",
    callback=_date,
    metavar="DATE",
    help="この日までの実績 (既定: 今日、年度末まで)",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="書き出すファイル"
)
@click.argument("ledger", required=False, type=click.Path(dir_okay=False))
def board_pack(
    year: FiscalYear,
    as_of: datetime.date | None,
    output: str | None,
    ledger: str | None,
) -> None:
    """運営委員会資料 (予算対比・月次推移・事業別・基金) を Excel で書き出す。"""
    from connect_books.reports.workbooks import board_pack as make
    from connect_books.reports.xlsx import save_workbook

    if as_of is None:
        as_of = min(datetime.date.today(), year.end)
    if not year.contains(as_of):
        raise click.BadParameter(
            f"{as_of.isoformat()} は{year.label} ({year.period_label}) の外です。"
            "年度の中の日付を指定してください。",
            param_hint="--as-of",
        )
    books = _load(ledger)
    path = Path(output) if output else board_pack_name(year.label, as_of)
    written = save_workbook(_made(make, books, year, as_of), path)
    click.echo(str(written))


@click.command("audit-pack")
@click.option(
    "--year",
    "year",
    callback=_year,
    required=True,
    metavar="YEAR",
    help="年度 (例: 2025)",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="書き出すファイル"
)
@click.argument("ledger", required=False, type=click.Path(dir_okay=False))
def audit_pack(year: FiscalYear, output: str | None, ledger: str | None) -> None:
    """監査資料 (計算書・財産目録・照合・監査報告書のひな形) を Excel で書き出す。"""
    from connect_books.reports.workbooks import audit_pack as make
    from connect_books.reports.xlsx import save_workbook

    books = _load(ledger)
    if datetime.date.today() <= year.end:
        click.echo(
            f"注意: {year.label}はまだ終わっていません ({year.end.isoformat()}まで)。"
            "計算書は今日までの記帳にもとづく途中の数字です。",
            err=True,
        )
    path = Path(output) if output else audit_pack_name(year.label)
    written = save_workbook(_made(make, books, year), path)
    click.echo(str(written))
