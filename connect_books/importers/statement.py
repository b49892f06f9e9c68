"""A bank statement CSV read through its :class:`~connect_books.importers.layout.Layout`.

:func:`read_statement` decodes the file (:mod:`~connect_books.importers.decode`), finds the
header row after any preamble (ゆうちょ writes six lines of account information first),
reads the rows with the standard CSV reader (every cell as text: money is parsed to ``int`` by
:func:`~connect_books.importers.text.parse_amount`, never through ``float``) and returns
the lines oldest first, each with the line number it has in the file. It refuses, naming
the line: a header that changed or is unknown, a row with more cells than the header, a
date or amount it cannot read, a row with both or neither of deposit and withdrawal,
rows out of date order, and a running balance that does not add up (a missing row, or
deposit and withdrawal columns swapped in the layout).
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from connect_books.gate import forbidden_character
from connect_books.importers.decode import (
    Decoded,
    StatementRefused,
    decode,
    looks_like_euc_jp,
)
from connect_books.importers.layout import WITHDRAWAL, Layout
from connect_books.importers.text import (
    WAREKI,
    AmountError,
    clean,
    parse_amount,
    parse_date,
)
from connect_books.money import yen_text


@dataclass(frozen=True)
class BankLine:
    """One row of a statement: a deposit (``amount > 0``) or a withdrawal (``< 0``)."""

    #: The row's line number in the file (1-based), for messages.
    line: int
    date: datetime.date
    amount: int
    #: The payee columns, NFKC-normalised, joined by a space.
    payee: str
    #: The memo columns, the same way.
    memo: str
    #: The balance after this row, when the layout has a balance column.
    balance: int | None = None

    @property
    def deposit(self) -> bool:
        """Whether money came in."""
        return self.amount > 0

    @property
    def text(self) -> str:
        """Payee and memo: what the rules compare."""
        return " ".join(part for part in (self.payee, self.memo) if part)


@dataclass(frozen=True)
class Statement:
    """The lines of one statement file, oldest first."""

    path: Path
    layout: Layout
    encoding: str
    lines: tuple[BankLine, ...]
    #: The last day the statement covers, when its preamble says (ゆうちょ's 日付指定).
    period_end: datetime.date | None = None

    @property
    def first_date(self) -> datetime.date | None:
        """The date of the first line (None for a statement without lines)."""
        return self.lines[0].date if self.lines else None

    @property
    def last_date(self) -> datetime.date | None:
        """The date of the last line."""
        return self.lines[-1].date if self.lines else None

    @property
    def closing_balance(self) -> int | None:
        """The balance after the last line, if the statement shows it."""
        return self.lines[-1].balance if self.lines else None


def read_statement(path: Path, layout: Layout) -> Statement:
    """Read ``path`` as a statement in ``layout``.

    Raises:
      StatementRefused: the file is not such a statement; the message names the
        problem and the line.
    """
    decoded = decode(path, layout.encodings)
    rows = decoded.text.splitlines()
    start = find_header(rows, layout)
    if start is None:
        raise StatementRefused(_header_problem(path, rows, layout, decoded))
    body = _body(rows, start, layout)
    width = len(_cells(rows[start]))
    records, widths = _records(path, body, width)
    header = [clean(cell) for cell in _cells(rows[start])]
    columns = {name: header.index(name) for name in layout.key_header if name}
    lines = []
    for (number, row), record in zip(body, records, strict=True):
        bad = forbidden_character(row)
        if bad is not None:
            msg = (
                f"{path.name} の{number}行目に制御文字 (U+{ord(bad[1]):04X}) があります。"
                "この明細は取り込みません。"
            )
            raise StatementRefused(msg)
        lines.append(_line(path, layout, columns, number, list(record)))
    _check_cut_off(path, lines, widths, width)
    if layout.order == "descending":
        lines.reverse()
    _check_order(path, lines)
    _check_running_balance(path, lines)
    period_end = _period_end(rows[:start], layout)
    return Statement(path, layout, decoded.encoding, tuple(lines), period_end)


def _period_end(preamble: Sequence[str], layout: Layout) -> datetime.date | None:
    """The period end the preamble states, if the layout knows where to find it."""
    if layout.period_end is None:
        return None
    for row in preamble:
        match = layout.period_end.search(clean(row))
        if match:
            return parse_date(match.group("end"), (*layout.date_formats, WAREKI))
    return None


def find_header(rows: Sequence[str], layout: Layout) -> int | None:
    """The index of the header row among the first ``header_within`` rows, if any."""
    wanted = layout.key_header
    for index, row in enumerate(rows[: layout.header_within or len(rows)]):
        if _header_cells(row) == wanted:
            return index
    return None


def _cells(row: str) -> list[str]:
    return next(csv.reader([row]), [])


def _header_cells(row: str) -> tuple[str, ...]:
    cells = [clean(cell) for cell in _cells(row)]
    while cells and not cells[-1]:
        cells.pop()  # ゆうちょ ends every row with a comma
    return tuple(cells)


def _body(rows: Sequence[str], start: int, layout: Layout) -> list[tuple[int, str]]:
    """The data rows after the header: ``(line number, text)``, without skipped rows."""
    body = [
        (number, row)
        for number, row in enumerate(rows[start + 1 :], start=start + 2)
        if row.strip().strip(",")
    ]
    if layout.footer_lines:
        body = body[: -layout.footer_lines]
    return [
        (number, row)
        for number, row in body
        if not any(p.search(clean(row)) for p in layout.skip_rows_matching)
    ]


def _records(
    path: Path, body: list[tuple[int, str]], width: int
) -> tuple[list[list[str]], list[int]]:
    """The rows as text cells (every cell a string; missing cells empty), and how many
    cells each row had.

    The standard library's CSV reader (what pandas' ``python`` engine used here runs on):
    importing pandas alone cost the import half a second.
    """
    try:
        records = list(csv.reader(io.StringIO("\n".join(row for _, row in body))))
    except csv.Error as exc:
        msg = f"{path.name} が CSV として読めません ({exc})。"
        raise StatementRefused(msg) from None
    if len(records) != len(body):
        msg = (
            f'{path.name} の行数が合いません (引用符 " の中に改行があるようです)。'
            "銀行のサイトから書き出したままのファイルを使ってください。"
        )
        raise StatementRefused(msg)
    widths = [len(cells) for cells in records]
    for (number, _), cells in zip(body, records, strict=True):
        if len(cells) > width:
            msg = (
                f"{path.name} の{number}行目は {len(cells)} 列あり、見出しの {width} 列より"
                "多くなっています。銀行の書き出し形式が変わっていないか確かめてください。"
            )
            raise StatementRefused(msg)
        cells.extend([""] * (width - len(cells)))
    return records, widths


def _check_cut_off(
    path: Path, lines: Sequence[BankLine], widths: Sequence[int], width: int
) -> None:
    """Refuse a row that looks cut off (a download that stopped half-way): one without
    a balance where the others show theirs, or the last row, shorter than the header
    where every other row is whole. Its amount may be cut too (3,300 read as 33)."""
    shown = sum(line.balance is not None for line in lines)
    for line in lines:
        if 0 < shown < len(lines) and line.balance is None:
            raise StatementRefused(
                f"{path.name} の{line.line}行目に残高がありません (ほかの行にはあります)。"
                "ファイルが途中で切れていないか確かめ、銀行のサイトから書き出し直してください。"
            )
    if len(lines) > 1 and widths[-1] < width and all(w == width for w in widths[:-1]):
        raise StatementRefused(
            f"{path.name} の{lines[-1].line}行目 (最後の行) は {widths[-1]} 列しかなく、見出しの"
            f" {width} 列より少なくなっています。ファイルが途中で切れていないか確かめ、"
            "銀行のサイトから書き出し直してください。"
        )


def _line(
    path: Path, layout: Layout, columns: dict[str, int], number: int, cells: list[str]
) -> BankLine:
    def cell(name: str | None) -> str:
        return str(cells[columns[clean(name)]]) if name else ""

    where = f"{path.name} の{number}行目"
    day = parse_date(cell(layout.date_column), layout.date_formats)
    if day is None:
        msg = (
            f"{where}: 日付 '{cell(layout.date_column)}' が読めません"
            f" (設定の書式: {', '.join(layout.date_formats)})。"
        )
        raise StatementRefused(msg)
    try:
        amount = _amount(layout, cell)
        balance = parse_amount(cell(layout.balance_column))
    except AmountError as exc:
        raise StatementRefused(
            f"{where}: {exc}。円の整数で書かれた明細を使ってください。"
        ) from None
    if isinstance(amount, str):
        raise StatementRefused(f"{where}: {amount}")
    return BankLine(
        line=number,
        date=day,
        amount=amount,
        payee=" ".join(c for c in (clean(cell(n)) for n in layout.payee_columns) if c),
        memo=" ".join(c for c in (clean(cell(n)) for n in layout.memo_columns) if c),
        balance=balance,
    )


def _amount(layout: Layout, read: Callable[[str | None], str]) -> int | str:
    """The signed amount of a row (``read`` gives a cell by column), or why it has none."""
    if layout.signed_column:
        value = parse_amount(read(layout.signed_column))
        if not value:
            return "金額がありません (0 円か空欄)。"
        return -value if layout.positive == WITHDRAWAL else value
    deposit = parse_amount(read(layout.deposit_column)) or 0
    withdrawal = parse_amount(read(layout.withdrawal_column)) or 0
    if deposit < 0 or withdrawal < 0:
        return "入金・出金の列にマイナスの金額があります。列の設定を確かめてください。"
    if bool(deposit) == bool(withdrawal):
        which = "両方" if deposit else "どちらも空欄か 0 円"
        return f"入金と出金が{which}です。一行に入金か出金のどちらか一つが必要です。"
    return deposit - withdrawal


def _check_order(path: Path, lines: Sequence[BankLine]) -> None:
    for before, after in itertools.pairwise(lines):
        if after.date < before.date:
            msg = (
                f"{path.name} の{after.line}行目 ({after.date}) が前の行 ({before.date}) より"
                "前の日付です。明細は日付順に並んでいる必要があります (設定の order を確かめてください)。"
            )
            raise StatementRefused(msg)


def _check_running_balance(path: Path, lines: Sequence[BankLine]) -> None:
    for before, after in itertools.pairwise(lines):
        if before.balance is None or after.balance is None:
            continue
        if before.balance + after.amount != after.balance:
            msg = (
                f"{path.name} の{after.line}行目の残高 {yen_text(after.balance)} が、前の行の残高"
                f" {yen_text(before.balance)} に金額 {yen_text(after.amount)} を足したものと合いません。"
                "行が欠けているか、入金と出金の列の設定が逆です。"
            )
            raise StatementRefused(msg)


def _header_problem(
    path: Path, rows: Sequence[str], layout: Layout, decoded: Decoded
) -> str:
    """Why no header row was found: another encoding, a changed header, or not a CSV."""
    wanted = layout.key_header
    setting = f"設定 ({layout.path.name if layout.path else layout.id})"
    if decoded.encoding != "euc_jp" and looks_like_euc_jp(decoded.raw):
        euc = decoded.raw.decode("euc_jp", errors="replace").splitlines()
        if any(_header_cells(row) == wanted for row in euc[: layout.header_within]):
            return (
                f"{path.name} の文字コードが EUC-JP です。cp932 (Shift_JIS) か UTF-8 で"
                "保存し直してください (帳簿は変わっていません)。"
            )
    scope = list(enumerate(rows[: layout.header_within or len(rows)], start=1))
    best = max(
        scope,
        key=lambda item: len(set(_header_cells(item[1])) & set(wanted)),
        default=None,
    )
    if best is not None and len(set(_header_cells(best[1])) & set(wanted)) >= 2:
        found = _header_cells(best[1])
        missing = [name for name in wanted if name and name not in found]
        extra = [name for name in found if name and name not in wanted]
        detail = "".join(
            [
                f"ない列: {', '.join(missing)}。" if missing else "",
                f"増えた列: {', '.join(extra)}。" if extra else "",
                "列の順番が違います。" if not missing and not extra else "",
            ]
        )
        return (
            f"{path.name} の{best[0]}行目の見出しが {layout.name} の{setting}と違います: {detail}"
            f"(見出し: {','.join(found)}) 銀行の書き出し形式が変わったときは、"
            f"{setting}の header を確かめて直してください (帳簿は変わっていません)。"
        )
    text = "\n".join(rows[:20])
    if "," not in text or text.lstrip().startswith("<"):
        return (
            f"{path.name} は CSV (カンマ区切りの表) ではありません。銀行のサイトで明細を「CSV」で"
            "書き出してください (帳簿は変わっていません)。"
        )
    first = next((row for row in rows if row.strip()), "")
    return (
        f"{path.name} は {layout.name} の明細ではありません: 見出し行"
        f" ({','.join(layout.header)}) が最初の {layout.header_within} 行にありません"
        f" (1行目: {clean(first)[:80]})。別の銀行の明細なら --bank でその設定を指定してください"
        " (帳簿は変わっていません)。"
    )
