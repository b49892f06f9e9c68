"""``connect-books board-pack`` and ``audit-pack``: the workbooks people print.

Thin: parse the arguments, load the books, call one function of
:mod:`connect_books.reports.workbooks`, save, print the path. The rules (default day and
file names) are in :mod:`connect_books.reports.output`. openpyxl and the reports are
imported inside the commands so that ``connect-books --help`` stays fast, and not at
all when the same pack of the same books is kept in the cache
(:mod:`connect_books.packcache`).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import click

from connect_books import packcache
from connect_books.cliparams import DATE, FISCAL_YEAR, ledger_argument, load_books
from connect_books.fiscal import FiscalYear

#: What a refusal for books with errors says is not done.
PURPOSE = "資料を作りません"


@click.command("board-pack")
@click.option(
    "--year", type=FISCAL_YEAR, required=True, metavar="YEAR", help="年度 (例: 2026)"
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    metavar="DATE",
    help="この日までの実績 (既定: 今日、年度末まで)",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="書き出すファイル"
)
@ledger_argument
def board_pack(
    year: FiscalYear,
    as_of: datetime.date | None,
    output: str | None,
    ledger: str | None,
) -> None:
    """運営委員会資料 (予算対比・月次推移・事業別・基金) を Excel で書き出す。"""
    today = datetime.date.today()
    params = _params(year, as_of, today)
    reused = packcache.reuse(ledger, "board-pack", params, output)
    if reused is not None:
        click.echo(str(reused.path))
        return
    from connect_books.reports import output as out
    from connect_books.reports.registry import ReportError, index_of
    from connect_books.reports.workbooks import board_pack as make

    books = load_books(ledger, purpose=PURPOSE)
    out.check_year(books.entries, year, today)
    try:
        day = out.board_pack_day(year, as_of, today)
    except ReportError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    name = out.board_pack_name(year, day)
    path = Path(output) if output else name
    workbook = make(index_of(books), year, day)
    click.echo(
        str(packcache.save(workbook, path, books, "board-pack", params, name=name))
    )


@click.command("audit-pack")
@click.option(
    "--year", type=FISCAL_YEAR, required=True, metavar="YEAR", help="年度 (例: 2025)"
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    metavar="DATE",
    help="終わっていない年度の基準日 (既定: 今日)",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="書き出すファイル"
)
@ledger_argument
def audit_pack(
    year: FiscalYear,
    as_of: datetime.date | None,
    output: str | None,
    ledger: str | None,
) -> None:
    """監査資料 (計算書・注記・財産目録・照合・監査報告書のひな形) を Excel で書き出す。"""
    today = datetime.date.today()
    params = _params(year, as_of, today)
    reused = packcache.reuse(ledger, "audit-pack", params, output)
    if reused is not None:
        for line in reused.notices:
            click.echo(line, err=True)
        click.echo(str(reused.path))
        return
    from connect_books.reports import output as out
    from connect_books.reports.registry import index_of
    from connect_books.reports.workbooks import audit_pack as make
    from connect_books.verification import seal_for

    books = load_books(ledger, purpose=PURPOSE)
    period = out.period_for(books.entries, year, as_of, today)
    notice = out.unfinished_notice(period)
    if notice:
        click.echo(notice, err=True)
    name = out.audit_pack_name(period)
    path = Path(output) if output else name
    seal = seal_for(books, year)
    workbook = make(index_of(books), period, seal)
    click.echo(
        str(
            packcache.save(
                workbook,
                path,
                books,
                "audit-pack",
                params,
                name=name,
                notices=(notice,) if notice else (),
            )
        )
    )


def _params(
    year: FiscalYear, as_of: datetime.date | None, today: datetime.date
) -> dict[str, Any]:
    """What a pack's content depends on besides the books (the key of a kept pack)."""
    return {
        "year": year.year,
        "as_of": as_of.isoformat() if as_of else None,
        "today": today.isoformat(),
    }
