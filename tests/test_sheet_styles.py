"""style_cell gives a cell exactly the look that assigning the style objects gives."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, PatternFill, Side

from connect_books.reports.sheets import (
    YEN_FORMAT,
    font,
    put_text,
    put_value,
    shared_font,
    style_cell,
)

THIN = Side(style="thin")
LOOKS = [
    (shared_font(10), Alignment(horizontal="right", indent=1), None, None),
    (
        shared_font(10, True, "C00000"),
        Alignment(wrap_text=True),
        Border(left=THIN, bottom=THIN),
        PatternFill("solid", fgColor="F2F2F2"),
    ),
    (shared_font(9), None, Border(top=THIN), None),
]


def test_the_same_look_as_assigning() -> None:
    book = Workbook()
    sheet = book.active
    for row in range(1, 4):  # (each look three times: found once, then by number)
        for col, (f, alignment, border, fill) in enumerate(LOOKS, start=1):
            mine = put_value(sheet.cell(row=row, column=col), 1234, "yen")
            style_cell(mine, f, alignment, border, fill)
            theirs = put_text(sheet.cell(row=row, column=col + 10), "=1+1")
            theirs.font = font(f.sz, bool(f.b), f.color.rgb[2:] if f.color else None)
            if alignment is not None:
                theirs.alignment = alignment
            if border is not None:
                theirs.border = border
            if fill is not None:
                theirs.fill = fill
            for attribute in ("font", "alignment", "border", "fill"):
                assert repr(getattr(mine, attribute)) == repr(
                    getattr(theirs, attribute)
                )
            assert mine.number_format == YEN_FORMAT  # (kept: put before the look)
            assert theirs.quotePrefix


def test_looks_are_per_workbook() -> None:
    first, second = Workbook(), Workbook()
    second.active.cell(row=1, column=1).font = font(20)  # (another font numbered first)
    for book in (first, second):
        cell = book.active.cell(row=2, column=2)
        style_cell(cell, shared_font(11, True))
        again = book.active.cell(row=3, column=2)
        style_cell(again, shared_font(11, True))
        assert again.font.sz == 11 and again.font.b
