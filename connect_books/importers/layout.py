"""A bank's CSV layout, read from a TOML file the treasurer can read and adjust.

The presets live in ``import/banks/`` (``yucho.toml``, ``roukin.toml``); any other bank is
one more file of the same form::

    id = "yucho"                      # 取込キー (import-key) の頭。英小文字・数字・-
    name = "ゆうちょ銀行 (ゆうちょダイレクト 入出金明細)"
    bank = "ゆうちょ銀行"             # 口座の open の bank: と同じなら、その口座が既定
    confirmed = true                  # 公開資料で列の並びを確かめたか
    source = "…"                      # 確かめた資料
    encodings = ["cp932", "utf-8"]    # 読んでよい文字コード (UTF-8 は BOM あり・なし)
    header = ["取引日", "入出金明細ＩＤ", …]   # 見出し行 (全角・半角の違いは問わない)
    header_within = 30                # 見出し行を探す行数 (前にある口座情報の行は読み飛ばす)
    skip_rows_matching = ["^合計"]     # 読み飛ばす集計行 (正規表現、行全体に対して)
    footer_lines = 0                  # 末尾の読み飛ばす行数
    period_end = '日付指定.*[〜~] *(?P<end>[^,]+)'  # 前置きにある照会期間の終わり (正規表現)
    order = "ascending"               # 行の順: ascending (古い順) / descending (新しい順)

    [date]
    column = "取引日"
    formats = ["%Y%m%d"]              # strptime の書式、または "和暦" (令和8年10月5日)

    [amount]                          # 入金と出金が別の列なら:
    deposit = "受入金額（円）"
    withdrawal = "払出金額（円）"
    # 一つの列に符号付きなら: column = "金額" と positive = "deposit" (または "withdrawal")

    [text]
    payee = ["詳細２"]                 # 振込人名など (規則が照合する)
    memo = ["詳細１"]                  # 取引の種類など (これも照合する)

    [balance]
    column = "現在（貸付）高"          # 取引後の残高 (なければ残高を照合しない)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connect_books.importers.decode import ENCODINGS, StatementRefused
from connect_books.importers.text import clean

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_TOP = {
    "id",
    "name",
    "bank",
    "confirmed",
    "source",
    "encodings",
    "header",
    "header_within",
    "skip_rows_matching",
    "footer_lines",
    "period_end",
    "order",
    "date",
    "amount",
    "text",
    "balance",
}
_SECTIONS = {
    "date": {"column", "formats"},
    "amount": {"deposit", "withdrawal", "column", "positive"},
    "text": {"payee", "memo"},
    "balance": {"column"},
}
ORDERS = ("ascending", "descending")
DEPOSIT = "deposit"
WITHDRAWAL = "withdrawal"


class LayoutRefused(StatementRefused):
    """A layout file that cannot be used (the message names the file and the key)."""


@dataclass(frozen=True)
class Layout:
    """How to read one bank's CSV export (see the module docstring for the file)."""

    id: str
    name: str
    header: tuple[str, ...]
    date_column: str
    date_formats: tuple[str, ...]
    payee_columns: tuple[str, ...]
    bank: str = ""
    confirmed: bool = False
    source: str = ""
    encodings: tuple[str, ...] = ENCODINGS
    header_within: int = 30
    skip_rows_matching: tuple[re.Pattern[str], ...] = ()
    footer_lines: int = 0
    #: Finds the statement's period end in the rows before the header (group ``end``).
    period_end: re.Pattern[str] | None = None
    order: str = "ascending"
    deposit_column: str | None = None
    withdrawal_column: str | None = None
    signed_column: str | None = None
    positive: str = DEPOSIT
    memo_columns: tuple[str, ...] = ()
    balance_column: str | None = None
    path: Path | None = None

    @property
    def key_header(self) -> tuple[str, ...]:
        """The header as compared (NFKC, single spaces)."""
        return tuple(clean(name) for name in self.header)

    @property
    def text_columns(self) -> tuple[str, ...]:
        """The columns whose text rules compare: payee first, then memo."""
        return self.payee_columns + self.memo_columns


def load_layout(path: Path) -> Layout:
    """Read a layout file.

    Raises:
      LayoutRefused: the file is missing, not TOML, or a key is unknown or wrong.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"銀行の明細の設定 {path} を読めません ({exc.strerror})。"
        raise LayoutRefused(msg) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"銀行の明細の設定 {path} が TOML として読めません: {exc}"
        raise LayoutRefused(msg) from exc
    return layout_from(raw, path)


def layout_from(raw: dict[str, Any], path: Path) -> Layout:
    """A :class:`Layout` from the parsed TOML of ``path``."""
    read = _Reader(raw, path)
    read.known(raw, _TOP, "")
    for section, keys in _SECTIONS.items():
        read.known(read.table(section), keys, f"[{section}] の")
    header = read.strings(raw, "header", required=True)
    date = read.table("date")
    amount = read.table("amount")
    text = read.table("text")
    balance = read.table("balance")
    layout = Layout(
        id=read.string(raw, "id", required=True),
        name=read.string(raw, "name", required=True),
        bank=read.string(raw, "bank"),
        confirmed=read.flag(raw, "confirmed"),
        source=read.string(raw, "source"),
        encodings=read.strings(raw, "encodings") or ENCODINGS,
        header=header,
        header_within=read.number(raw, "header_within", 30),
        skip_rows_matching=tuple(
            read.pattern(p, "skip_rows_matching")
            for p in read.strings(raw, "skip_rows_matching")
        ),
        footer_lines=read.number(raw, "footer_lines", 0),
        period_end=read.pattern(read.string(raw, "period_end"), "period_end", "end")
        if raw.get("period_end")
        else None,
        order=read.string(raw, "order") or "ascending",
        date_column=read.string(date, "column", required=True, where="[date] の"),
        date_formats=read.strings(date, "formats", required=True, where="[date] の"),
        deposit_column=read.string(amount, DEPOSIT) or None,
        withdrawal_column=read.string(amount, WITHDRAWAL) or None,
        signed_column=read.string(amount, "column") or None,
        positive=read.string(amount, "positive") or DEPOSIT,
        payee_columns=read.strings(text, "payee", required=True, where="[text] の"),
        memo_columns=read.strings(text, "memo"),
        balance_column=read.string(balance, "column") or None,
        path=path,
    )
    read.check(layout)
    return layout


class _Reader:
    """Typed access to the TOML of one layout file, refusing with its name and key."""

    def __init__(self, raw: dict[str, Any], path: Path) -> None:
        self.raw = raw
        self.path = path

    def fail(self, message: str) -> LayoutRefused:
        return LayoutRefused(f"銀行の明細の設定 {self.path}: {message}")

    def known(self, table: dict[str, Any], keys: set[str], where: str) -> None:
        for key in table:
            if key not in keys:
                raise self.fail(
                    f"{where}キー '{key}' は使えません (使えるキー: {', '.join(sorted(keys))})。"
                )

    def table(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(
                f"[{name}] は表 ([{name}] の見出しの下にキー) で書いてください。"
            )
        return value

    def string(
        self,
        table: dict[str, Any],
        key: str,
        *,
        required: bool = False,
        where: str = "",
    ) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f'{where}{key} を文字列 ("…") で書いてください。')
        return value

    def strings(
        self,
        table: dict[str, Any],
        key: str,
        *,
        required: bool = False,
        where: str = "",
    ) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(
                f'{where}{key} を文字列の並び (["…", "…"]) で書いてください。'
            )
        if required and not value:
            raise self.fail(f"{where}{key} を一つ以上書いてください。")
        return tuple(value)

    def number(self, table: dict[str, Any], key: str, default: int) -> int:
        value = table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(f"{key} は 0 以上の整数で書いてください。")
        return value

    def flag(self, table: dict[str, Any], key: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key} は true か false で書いてください。")
        return value

    def pattern(self, text: str, key: str, group: str = "") -> re.Pattern[str]:
        try:
            compiled = re.compile(text)
        except re.error as exc:
            raise self.fail(
                f"{key} の '{text}' が正規表現として読めません ({exc})。"
            ) from None
        if group and group not in compiled.groupindex:
            raise self.fail(f"{key} には (?P<{group}>…) の組を書いてください。")
        return compiled

    def check(self, layout: Layout) -> None:
        """The rules between the keys: known values, columns that exist in the header."""
        if not _ID.match(layout.id):
            raise self.fail(
                f"id '{layout.id}' は英小文字・数字・- で書いてください (例: yucho)。"
            )
        if layout.order not in ORDERS:
            raise self.fail(f"order は {' か '.join(ORDERS)} です ('{layout.order}')。")
        if layout.positive not in (DEPOSIT, WITHDRAWAL):
            raise self.fail(f"[amount] の positive は {DEPOSIT} か {WITHDRAWAL} です。")
        for encoding in layout.encodings:
            if encoding not in ENCODINGS:
                raise self.fail(
                    f"encodings の '{encoding}' は使えません ({', '.join(ENCODINGS)})。"
                )
        split = layout.deposit_column or layout.withdrawal_column
        if bool(split) == bool(layout.signed_column) or (
            split and not (layout.deposit_column and layout.withdrawal_column)
        ):
            raise self.fail(
                "[amount] には deposit と withdrawal の二つ (入金・出金の列) か、"
                "column の一つ (符号付きの金額の列) を書いてください。"
            )
        header = layout.key_header
        if len(set(name for name in header if name)) != len([n for n in header if n]):
            raise self.fail("header に同じ見出しが二つあります。")
        columns = [
            layout.date_column,
            layout.deposit_column,
            layout.withdrawal_column,
            layout.signed_column,
            layout.balance_column,
            *layout.text_columns,
        ]
        for column in columns:
            if column is not None and clean(column) not in header:
                raise self.fail(f"列 '{column}' が header にありません。")
