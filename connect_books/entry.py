"""A transaction to add, as structured input: checked, shown, then written by the safe writer.

Every way the treasurer enters a transaction (``connect-books add``, ``dues pay``, the
Fava 記帳 page, the bank import) builds a :class:`Draft` and hands it to :func:`write`::

    draft = Draft(
        date=datetime.date(2026, 11, 20),
        payee="郵便局",
        narration="郵送料 11月",
        lines=(Line("Expenses:5210-管理費:5213-通信運搬費", 2000),
               Line("Assets:1110-現金", None)),        # at most one line without amount
    )
    print(draft.text())                                  # what will be written
    written = write(books, draft, command="connect-books add")

What is refused before anything is written, in Japanese (:class:`EntryRefused`):

* payee, narration and metadata text with a line break, a control character, a word
  that is a directive of the books (``include``, ``plugin``, ``option`` …) or more than
  :data:`MAX_TEXT` characters; ``"`` and ``\\`` are escaped, so text can never leave
  its string;
* amounts that are not whole yen written with half-width digits (:func:`parse_amount`),
  zero amounts, an entry that does not balance, more than one line without an amount;
* accounts that are not open on the date, unknown member and supporter IDs (with the
  nearest IDs), unknown decisions;
* dates that do not exist, lie far ahead, or fall in a settled 年度
  (:mod:`connect_books.journal_target`).

Then :func:`connect_books.writer.append` validates the whole books with every rule and
writes atomically into the 年度's journal file, or refuses and changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from connect_books import entry_voucher
from connect_books.books import Books
from connect_books.chart import Chart
from connect_books.entry_voucher import Voucher
from connect_books.errors import Refused
from connect_books.funds import Funds
from connect_books.gate import forbidden_character
from connect_books.journal_target import check_day, journal_file
from connect_books.money import JPY, parse_yen, yen_text
from connect_books.writer import WriteRefused, Written, append

if TYPE_CHECKING:
    from connect_books.reports.index import Index

#: The longest payee, narration or metadata text accepted.
MAX_TEXT = 200
#: Where the amounts end on a posting line (in display columns), as in the sample books.
AMOUNT_COLUMN = 72
_DIRECTIVE_WORD = re.compile(
    r"(?<![A-Za-z0-9_])(include|plugin|option|pushtag|poptag|pushmeta|popmeta)"
    r"(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
_META_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
_LINK = re.compile(r"^[A-Za-z0-9\-_/.]+$")


class EntryRefused(Refused):
    """An entry that cannot be written as given; ``str()`` says why, in Japanese."""


@dataclass(frozen=True)
class Line:
    """One posting: an opened account and an amount in yen (None: the rest)."""

    account: str
    amount: int | None = None


@dataclass(frozen=True)
class Draft:
    """A transaction to write, with its optional voucher."""

    date: datetime.date
    narration: str
    lines: tuple[Line, ...]
    payee: str | None = None
    #: Transaction metadata (``member``, ``supporter``, ``decision`` …), in order.
    meta: tuple[tuple[str, str | bool], ...] = ()
    links: tuple[str, ...] = ()
    voucher: Voucher | None = None
    #: A comment line written above the transaction.
    comment: str = ""

    def amounts(self) -> list[int]:
        """Every line's amount, the line without one taking what balances the rest."""
        given = sum(line.amount or 0 for line in self.lines)
        return [
            line.amount if line.amount is not None else -given for line in self.lines
        ]

    def text(self) -> str:
        """The Beancount text of the transaction (and its ``document``), as written."""
        head = f"{self.date.isoformat()} *"
        if self.payee:
            head += f" {quote(self.payee)}"
        head += f" {quote(self.narration)}"
        links = [*self.links, *([self.voucher.link] if self.voucher else [])]
        head += "".join(f" ^{link}" for link in links)
        out = [f"; {self.comment}"] if self.comment else []
        out.append(head)
        for key, value in self.meta:
            shown = "TRUE" if value is True else "FALSE" if value is False else None
            out.append(f"  {key}: {shown or quote(str(value))}")
        for line, amount in zip(self.lines, self.amounts(), strict=True):
            number = f"{amount} {JPY}"
            gap = max(2, AMOUNT_COLUMN - width(line.account) - len(number) - 2)
            out.append(f"  {line.account}{' ' * gap}{number}")
        if self.voucher is not None:
            out.append(self.voucher.directive(self.date))
        return "\n".join(out) + "\n"

    def total(self) -> int:
        """The sum of the debits (the size of the transaction), in yen."""
        return sum(a for a in self.amounts() if a > 0)

    def summary(self) -> str:
        """One line for a commit message: date, payee, narration, amount."""
        who = f'"{self.payee}" ' if self.payee else ""
        return f'{self.date.isoformat()} {who}"{self.narration}" ({self.total():,} JPY)'


def width(text: str) -> int:
    """Display columns of ``text`` (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def quote(text: str) -> str:
    """``text`` as a Beancount string: ``"`` and ``\\`` escaped, nothing can leave it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def line_breaking(value: str) -> str | None:
    """The first character that would not keep ``value`` on one line of the books: a
    line break, a tab, or a character the gate refuses (None when there is none)."""
    control = next((c for c in value if c in "\n\r\t"), None)
    bad = forbidden_character(value)
    return control or (bad[1] if bad else None)


def clean_text(value: str, what: str, *, required: bool = False) -> str:
    """Free text for a payee, narration or metadata value, checked.

    Raises:
      EntryRefused: a line break or control character, a directive word, too long, or
        empty when ``required``.
    """
    char = line_breaking(value)
    if char is not None:
        raise EntryRefused(
            f"{what}に改行や制御文字 (U+{ord(char):04X}) は書けません。一行で書いてください。"
        )
    text = value.strip(" \u3000")
    if required and not text:
        raise EntryRefused(f"{what}を書いてください。")
    word = _DIRECTIVE_WORD.search(text)
    if word:
        raise EntryRefused(
            f"{what}に '{word.group()}' という語があります。帳簿の指示 (include・plugin・option など)"
            " と紛らわしい語は書けません。別の言い方にしてください。"
        )
    if len(text) > MAX_TEXT:
        raise EntryRefused(
            f"{what}が長すぎます ({len(text)}文字、{MAX_TEXT}文字まで)。"
        )
    return text


def parse_amount(text: str, what: str = "金額", *, zero: bool = False) -> int:
    """Whole yen from what a person typed (``10000``, ``10,000``, ``10000円``, ``-500``).

    ``zero`` accepts 0 (a balance can be nil; a posting cannot).

    Raises:
      EntryRefused: full-width digits, a fraction of a yen, not a number, or zero.
    """
    try:
        number = parse_yen(text)
    except ValueError as exc:
        message = str(
            exc
        )  # "金額 '…' に…": the prefix says which amount, when not plain
        raise EntryRefused(
            message if what == "金額" else f"{what}: {message}"
        ) from None
    if number == 0 and not zero:
        raise EntryRefused(f"{what}が 0円です。0円の行は書けません。")
    return number


def parse_date(text: str) -> datetime.date:
    """A date typed as ``2026-11-30`` or ``2026/11/30``.

    Raises:
      EntryRefused: full-width digits, not a date, or a day that does not exist.
    """
    raw = text.strip()
    if unicodedata.normalize("NFKC", raw) != raw:
        raise EntryRefused(
            f"日付 '{text}' に全角の文字があります。半角で 2026-11-30 のように書いてください。"
        )
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", raw)
    if not match:
        raise EntryRefused(
            f"日付 '{text}' が読めません。2026-11-30 のように書いてください。"
        )
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise EntryRefused(
            f"日付 '{text}' は実在しません ({year}年{month}月{day}日)。"
        ) from None


@dataclass
class Context:
    """The loaded books and the readers an entry is checked against."""

    books: Books
    today: datetime.date = field(default_factory=datetime.date.today)

    @cached_property
    def chart(self) -> Chart:
        """The chart of accounts."""
        return Chart.from_entries(self.books.entries)

    @cached_property
    def funds(self) -> Funds:
        """Funds and decisions."""
        return Funds.from_entries(self.books.entries)[0]

    @cached_property
    def index(self) -> Index:
        """The reports' index of the books (balances, dues, grants paid)."""
        from connect_books.reports.index import build_index

        return build_index(self.books.entries, self.books.options)

    def target(self, day: datetime.date) -> Path:
        """The journal file for an entry dated ``day``."""
        return journal_file(self.books.path, self.books.entries, day, self.today)


def check(ctx: Context, draft: Draft) -> None:
    """Refuse a draft that cannot be written (see the module docstring).

    Raises:
      EntryRefused: what is wrong, in Japanese (the first problem found).
      DateRefused: the date may not have a new entry.
    """
    check_day(draft.date, ctx.books.entries, ctx.today)
    clean_text(draft.narration, "摘要", required=True)
    if draft.payee is not None:
        clean_text(draft.payee, "取引先")
    for key, value in draft.meta:
        if not _META_KEY.match(key):
            raise EntryRefused(f"メタデータの名前 '{key}' は使えません。")
        if isinstance(value, str):
            clean_text(value, f"{key}")
    for link in draft.links:
        if not _LINK.match(link):
            raise EntryRefused(
                f"リンク '{link}' は英数字と - _ / . だけで書いてください。"
            )
    _check_lines(ctx, draft.date, draft.lines)
    _check_ids(ctx, draft.meta)


def _check_lines(ctx: Context, day: datetime.date, lines: Sequence[Line]) -> None:
    if len(lines) < 2:
        raise EntryRefused("仕訳には科目が二つ以上必要です (借方と貸方)。")
    missing = [line for line in lines if line.amount is None]
    if len(missing) > 1:
        raise EntryRefused(
            "金額のない行は一つまでです (その行が残りの金額になります)。"
            f"金額のない科目: {'、'.join(line.account for line in missing)}"
        )
    for line in lines:
        info = ctx.chart.get(line.account)
        if info is None:
            raise EntryRefused(
                f"科目 {line.account} は科目表 (accounts.beancount) で open されていません。"
            )
        if info.opened > day:
            raise EntryRefused(
                f"科目 {line.account} は {info.opened.isoformat()} に open されたので、"
                f"{day.isoformat()} の仕訳には使えません。"
            )
        if info.closed is not None and info.closed <= day:
            raise EntryRefused(
                f"科目 {line.account} は {info.closed.isoformat()} に close されています。"
            )
        if line.amount == 0:
            raise EntryRefused(f"科目 {line.account} の金額が 0円です。")
    given = sum(line.amount or 0 for line in lines)
    if not missing and given != 0:
        raise EntryRefused(
            f"借方と貸方が合いません (差額 {yen_text(given)})。金額を確かめるか、"
            "一つの行の金額を空けてください (残りの金額になります)。"
        )
    if missing and given == 0:
        raise EntryRefused(
            f"科目 {missing[0].account} の金額が 0円になります。金額を確かめてください。"
        )


def _check_ids(ctx: Context, meta: Sequence[tuple[str, str | bool]]) -> None:
    roster = ctx.books.roster
    for key, value in meta:
        if key == "member" and value not in roster.members:
            raise EntryRefused(roster.unknown_member_message(str(value)))
        if key == "supporter" and value not in roster.supporters:
            from connect_books.errors import did_you_mean

            tail = did_you_mean(str(value), roster.supporters)
            raise EntryRefused(
                f"サポーターID '{value}' は名簿 (members.beancount) にありません。{tail}"
            )
        if key == "decision" and not ctx.funds.known_decision(str(value)):
            raise EntryRefused(ctx.funds.unknown_decision_message(str(value)))


def write(
    ctx: Context,
    draft: Draft,
    *,
    command: str,
    git_commit: bool = False,
) -> Written:
    """Check ``draft``, place its voucher, and append it to its 年度's journal file.

    Args:
      ctx: the loaded books.
      draft: the transaction.
      command: the command (or page) that writes, for the commit message.
      git_commit: commit the written files with a message saying what and by whom.
    Raises:
      EntryRefused, DateRefused, WriteRefused: nothing was written.
      CommitFailed: written, but not committed.
    """
    check(ctx, draft)
    target = ctx.target(draft.date)
    root = ctx.books.root
    if git_commit:
        entry_voucher.require_repository(root)
    placed = entry_voucher.place(root, draft.voucher) if draft.voucher else None
    what = f"{draft.summary()} to {target.name} [{command}]"
    try:
        written = append(
            ctx.books.path,
            target,
            draft.text(),
            message=f"Add {what}",
            git_commit=git_commit,
            loaded=ctx.books,
        )
    except WriteRefused:
        if placed is not None:
            entry_voucher.discard(placed)
        raise
    if git_commit and placed is not None and placed.created:
        entry_voucher.commit(placed, f"Add voucher {placed.path.name} for {what}")
    return written


def written_at(written: Written, base: Path | None = None) -> str:
    """``ledger/2026.beancount:412`` for a message."""
    path = written.target
    if base is not None:
        with contextlib.suppress(ValueError):
            path = path.relative_to(base)
    return f"{path}:{written.first_line}"
