"""What a person asks for and gets: formats, output files, default names and dates.

The rules behind ``connect-books report``, ``board-pack`` and ``audit-pack`` (which
formats need a file, where a workbook goes when no file is named, which day a board pack
runs to), kept here so that the CLI stays thin and the Fava extension can reuse them.
Every refusal is a :class:`~connect_books.reports.registry.ReportError` in Japanese.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from beancount.core import data

from connect_books.fiscal import FiscalYear, Period
from connect_books.output import write_file
from connect_books.reports.registry import ReportError
from connect_books.reports.table import Report

Format = Literal["json", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "csv", "xlsx")
#: Where the workbooks go when no file is named (relative to the current folder).
OUT_DIR = Path("out")


def output_format(name: str, output: str | None) -> Format:
    """The format asked for (``json``, ``csv`` or ``xlsx``, any case), checked.

    Raises:
      ReportError: an unknown format, or ``xlsx`` without a file to write to.
    """
    fmt = name.lower()
    for known in FORMATS:
        if fmt == known:
            if known == "xlsx" and not output:
                raise ReportError(
                    "xlsx で出力するときは -o で出力先のファイルを指定してください (例: -o 収支計算書.xlsx)。"
                )
            return known
    raise ReportError(
        f"出力形式 '{fmt}' は使えません。json, csv, xlsx のどれかを指定してください。"
    )


def errors_notice(count: int) -> str:
    """The warning shown when a report is made from books that have errors."""
    return (
        f"注意: 帳簿に {count}件のエラーがあります。connect-books check で確認してください"
        " (計算書はこのまま作りました)。"
    )


def errors_mark(count: int) -> str:
    """What a report made from books with errors says of itself (on the sheet, in the
    CSV and the JSON), so that it is never taken for a clean statement."""
    return (
        f"帳簿にエラーが{count}件ある状態で作った計算書です。確定した数字ではありません"
        " (connect-books check で確認してください)。"
    )


def check_year(
    entries: Sequence[data.Directive], year: FiscalYear, today: datetime.date
) -> None:
    """Refuse a 年度 outside the books: not begun yet, or before or after their records.

    Raises:
      ReportError: the 年度 lies after the current one, after the last record or
        before the first.
    """
    current = FiscalYear.of(today)
    if year.year > current.year:  # before touching its dates: 9999年度 has no 3月31日
        raise ReportError(
            f"{year.label}はまだ始まっていません (今日 {today.isoformat()} は{current.label}です)。"
            f"{current.label}までの年度を指定してください。"
        )
    days = [e.date for e in entries]
    if not days:
        raise ReportError("帳簿に記録がありません。")
    first, last = min(days), max(days)
    if year.start > last:
        raise ReportError(
            f"{year.label} ({year.start.isoformat()}〜) の記録は帳簿にありません (最後の記録は {last.isoformat()})。"
        )
    if year.end < first:
        raise ReportError(
            f"{year.label} ({year.period_label}) は帳簿の最初の記録 ({first.isoformat()}) より前です。"
        )


def period_for(
    entries: Sequence[data.Directive],
    year: FiscalYear,
    as_of: datetime.date | None,
    today: datetime.date,
) -> Period:
    """The period a command reports: the whole 年度 once it has ended, else to a day.

    A 年度 that has not ended runs to ``as_of`` or, without it, to today (never to its
    future year end), so a statement is titled with the day its figures are from.

    Raises:
      ReportError: the 年度 lies outside the books (:func:`check_year`), or ``as_of`` is
        after today (:func:`not_ahead`).
      PeriodRefused: ``as_of`` lies before the 年度 starts.
    """
    check_year(entries, year, today)
    not_ahead(as_of, today)
    if as_of is None and today < year.end:
        as_of = max(today, year.start)
    return Period.of(year, as_of)


def render(report: Report, fmt: Format) -> str:
    """The report as JSON (Japanese as written) or CSV text."""
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    return report.to_csv()


def write(report: Report, fmt: Format, target: Path) -> Path:
    """Write the report to ``target`` all at once (its folder is made if missing).

    CSV carries a BOM, so that Excel opens the Japanese correctly.

    Raises:
      OutputRefused: ``target`` is not a regular, writable file, or the disk is full.
    """
    if fmt == "xlsx":
        from connect_books.reports.sheets import save_workbook
        from connect_books.reports.workbooks import report_workbook

        return save_workbook(report_workbook(report), target)
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    return write_file(target, render(report, fmt).encode(encoding))


def not_ahead(as_of: datetime.date | None, today: datetime.date) -> None:
    """Refuse a statement "as at" a day that has not come: its figures would be today's
    under a later date (and, past the year end, read as the 決算 of a 年度 not ended).

    Raises:
      ReportError: ``as_of`` is after ``today``.
    """
    if as_of is not None and as_of > today:
        raise ReportError(
            f"基準日 {as_of.isoformat()} は今日 ({today.isoformat()}) より先です。"
            "まだ来ていない日の計算書は作れません。今日までの日付を指定してください。"
        )


def board_pack_day(
    year: FiscalYear, as_of: datetime.date | None, today: datetime.date
) -> datetime.date:
    """The day a board pack runs to: ``as_of``, else today (at most the year end).

    Raises:
      ReportError: the day lies outside ``year``, or after today.
    """
    not_ahead(as_of, today)
    day = as_of if as_of is not None else min(today, year.end)
    if not year.contains(day):
        raise ReportError(
            f"{day.isoformat()} は{year.label} ({year.period_label}) の外です。"
            "年度の中の日付を指定してください。"
        )
    return day


def board_pack_name(year: FiscalYear, as_of: datetime.date) -> Path:
    """``out/2026年度_運営委員会資料_2026-11-30.xlsx``."""
    return OUT_DIR / f"{year.label}_運営委員会資料_{as_of.isoformat()}.xlsx"


def audit_pack_name(period: Period) -> Path:
    """``out/2025年度_監査資料.xlsx`` (``…_2026-11-30現在.xlsx`` for a 年度 not ended)."""
    if period.as_of is not None:
        return (
            OUT_DIR
            / f"{period.year.label}_監査資料_{period.as_of.isoformat()}現在.xlsx"
        )
    return OUT_DIR / f"{period.year.label}_監査資料.xlsx"


def unfinished_notice(period: Period) -> str | None:
    """The warning for a pack of a 年度 that has not ended (None for a whole 年度)."""
    if period.as_of is None:
        return None
    return (
        f"注意: {period.year.label}はまだ終わっていません ({period.year.end.isoformat()}まで)。"
        f"計算書は {period.as_of.isoformat()} 現在の途中の数字です。"
    )
