"""``connect-books report``: one statement as JSON, CSV or an Excel workbook. Thin."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click

FORMATS = ("json", "csv", "xlsx")


class ReportCommandError(click.ClickException):
    """A usage problem; the command group shows it as ``エラー: …``."""


def _as_of(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ReportCommandError(
            f"基準日 '{value}' が読めません。2026-09-30 のように書いてください。"
        ) from None


@click.command("report")
@click.argument("name")
@click.argument("ledger", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--year", "year_text", required=True, metavar="YEAR", help="年度 (2025 や 2025年度)"
)
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    metavar="DATE",
    help="基準日 (年度の途中の実績: 2026-09-30)",
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
    year_text: str,
    as_of: datetime.date | None,
    fmt: str,
    output: str | None,
) -> None:
    """計算書を作る。NAME: budget (収支計算書), activity (活動計算書), balance-sheet (貸借対照表),
    inventory (財産目録), dues (会費納入状況), funds (基金の状況), tie-out (監事の照合), trend (月次推移)。
    """
    from connect_books.books import load
    from connect_books.fiscal import FiscalYear
    from connect_books.reports import registry
    from connect_books.reports.common import ReportError

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ReportCommandError(
            f"出力形式 '{fmt}' は使えません。json, csv, xlsx のどれかを指定してください。"
        )
    if fmt == "xlsx" and not output:
        raise ReportCommandError(
            "xlsx で出力するときは -o で出力先のファイルを指定してください (例: -o 収支計算書.xlsx)。"
        )
    try:
        key = registry.canonical(name)
        year = FiscalYear.parse(year_text)
    except ValueError as exc:
        raise ReportCommandError(str(exc)) from exc
    try:
        books = load(ledger)
    except FileNotFoundError as exc:
        raise ReportCommandError(str(exc)) from exc
    if books.errors:
        click.echo(
            f"注意: 帳簿に {len(books.errors)}件のエラーがあります。connect-books check で確認してください"
            " (計算書はこのまま作りました)。",
            err=True,
        )
    last = max((e.date for e in books.entries), default=None)
    if last is not None and year.start > last:
        raise ReportCommandError(
            f"{year.label} ({year.start.isoformat()}〜) の記録は帳簿にありません (最後の記録は {last.isoformat()})。"
        )
    try:
        result = registry.make(books, key, year, as_of)
    except ReportError as exc:
        raise ReportCommandError(str(exc)) from exc

    target = Path(output) if output else None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        from connect_books.reports.xlsx import write_report

        assert target is not None
        write_report(result, target)
        click.echo(
            f"✓ {result.title} ({year.label}) を {output} に書きました。", err=True
        )
        return
    if fmt == "json":
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = result.to_csv()
    if target is not None:
        # CSV with a BOM so that Excel opens the Japanese correctly.
        target.write_text(
            text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline=""
        )
        click.echo(
            f"✓ {result.title} ({year.label}) を {output} に書きました。", err=True
        )
    else:
        click.echo(text, nl=False)
