"""固定資産台帳: each fixed asset, its cost, life, depreciation and book value.

One row per asset held during the 年度 (by account), from
:class:`connect_books.fixed_assets.FixedAssets`: 取得日, 取得価額, 耐用年数, 期首帳簿価額,
当期取得, 当期償却額, 当期除却, 期末帳簿価額, 償却累計額. The 期末帳簿価額 of an account's
assets adds up to the account's balance on the 貸借対照表. Depreciation the 年度 still
needs is named in the remarks with the command that prints it.
"""

from __future__ import annotations

import datetime

from connect_books.fiscal import Period, jdate
from connect_books.fixed_assets import MEMO_VALUE, FixedAssets
from connect_books.money import yen_text
from connect_books.reports.index import Index
from connect_books.reports.table import Cell, Column, Report, Row, Table

NAME = "fixed-assets"
TITLE = "固定資産台帳"
COLUMNS = (
    Column("id", "資産番号", "text"),
    Column("acquired", "取得日", "date"),
    Column("cost", "取得価額"),
    Column("life", "耐用年数", "text"),
    Column("opening", "期首帳簿価額"),
    Column("added", "当期取得"),
    Column("depreciation", "当期償却額"),
    Column("disposed", "当期除却"),
    Column("closing", "期末帳簿価額"),
    Column("accumulated", "償却累計額"),
)
_SUMMED = (
    "cost",
    "opening",
    "added",
    "depreciation",
    "disposed",
    "closing",
    "accumulated",
)


def report(idx: Index, p: Period) -> Report:
    """The 固定資産台帳 for ``p`` (to its end; 期首 = the day before its start)."""
    book = FixedAssets.from_entries(idx.entries, idx.roots)
    before = p.start - datetime.timedelta(days=1)
    rows: list[Row] = []
    grand: dict[str, int] = dict.fromkeys(_SUMMED, 0)
    accounts = sorted({a.account for a in book.assets.values()})
    for account in accounts:
        held = [
            a
            for a in sorted(book.assets.values(), key=lambda a: (a.acquired, a.id))
            if a.account == account
            and a.acquired <= p.end
            and (book.book_value(a.id, before) or a.acquired >= p.start)
        ]
        if not held:
            continue
        info = idx.info(account)
        rows.append(Row(info.line or info.label, {}, "heading", 0, account))
        total = dict.fromkeys(_SUMMED, 0)
        for asset in held:
            closing = book.book_value(asset.id, p.end)
            figures = {
                "cost": asset.cost,
                "opening": book.book_value(asset.id, before),
                "added": asset.cost if asset.acquired >= p.start else 0,
                "depreciation": book.reduced(
                    asset.id, p.start, p.end, depreciation=True
                ),
                "disposed": book.reduced(asset.id, p.start, p.end, depreciation=False),
                "closing": closing,
                "accumulated": asset.cost - closing - _disposed(book, asset.id, p.end),
            }
            values: dict[str, Cell] = {
                "id": asset.id,
                "acquired": asset.acquired,
                "life": f"{asset.life}年",
                **figures,
            }
            rows.append(Row(asset.name, values, "item", 1, asset.id))
            for key in _SUMMED:
                total[key] += figures[key]
        rows.append(Row("計", dict(total), "subtotal", 0, f"{account}:計"))
        for key in _SUMMED:
            grand[key] += total[key]
    rows.append(Row("合計", dict(grand), "total", 0, "合計"))
    return Report(
        NAME,
        TITLE,
        p.year,
        p.start,
        p.end,
        (Table(TITLE, COLUMNS, tuple(rows)),),
        tuple(_remarks(idx, p, book)),
        p.as_of,
    )


def _disposed(book: FixedAssets, asset_id: str, day: datetime.date) -> int:
    return book.reduced(asset_id, datetime.date.min, day, depreciation=False)


def _remarks(idx: Index, p: Period, book: FixedAssets) -> list[str]:
    threshold = book.threshold_on(p.end)
    remarks = [
        (
            f"取得価額 {yen_text(threshold)} 以上の備品を資産に計上し"
            if threshold is not None
            else '資産計上の基準 (custom "capitalisation-threshold") が記録されていません。取得した備品を資産に計上し'
        )
        + f"、定額法・月割 (取得の月から) で償却します (直接法、備忘価額 {MEMO_VALUE}円)。"
    ]
    for problem in book.problems:
        where = f"{problem.meta.get('filename', '?')}:{problem.meta.get('lineno', '?')}"
        remarks.append(f"✗ {where}: {problem.message}")
    if not p.interim:
        due = {
            a.id: book.due(a, p.year)
            for a in book.assets.values()
            if book.due(a, p.year)
        }
        if due:
            listed = "、".join(f"{k} {yen_text(v)}" for k, v in sorted(due.items()))
            remarks.append(
                f"{p.year.label}の減価償却で未記帳のもの: {listed}。"
                f"connect-books depreciation --year {p.year.year} で仕訳を確かめ、--write で記帳してください。"
            )
    elif book.assets:
        remarks.append(
            f"{jdate(p.end)}現在の台帳です。{p.year.label}の減価償却は年度末 ({jdate(p.year.end)}) に記帳します。"
        )
    if not book.assets:
        remarks.append("固定資産はありません。")
    return remarks
