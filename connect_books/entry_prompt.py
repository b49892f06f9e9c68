"""What ``connect-books add`` reads: options or Japanese prompts, turned into a Draft.

:func:`ask_missing` asks, in Japanese, for every value the command line left out (date,
payee, narration, the lines one by one, then a member, supporter, decision or voucher
when the accounts call for one); a wrong answer is explained and asked again.
:func:`draft_of` turns the answers (typed or given as options) into a
:class:`~connect_books.entry.Draft`: accounts by code or name, members and supporters
by ID or name, amounts as whole yen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import click

from connect_books.accounts import Kind, Roots
from connect_books.chart import DUES_ROLES, AccountInfo, Role
from connect_books.entry import (
    Context,
    Draft,
    EntryRefused,
    Line,
    clean_text,
    parse_amount,
    parse_date,
)
from connect_books.entry_lookup import find_account, find_member, find_supporter
from connect_books.entry_voucher import plan
from connect_books.errors import Refused
from connect_books.money import yen_text

T = TypeVar("T")
#: The last word of a ``--posting`` that is read as its amount (``¥1860``, ``1860円``,
#: ``1e3``: read, then refused with what is wrong, never taken for part of an account).
_AMOUNT_LIKE = re.compile(r"^[-+▲]?[¥￥$]?[0-9０-９][0-9０-９,，.．eE]*(?:円|JPY)?$")


@dataclass
class Answers:
    """The values of one ``add``, as typed."""

    date: str | None = None
    payee: str | None = None
    narration: str | None = None
    postings: list[str] = field(default_factory=list)
    member: str | None = None
    supporter: str | None = None
    decision: str | None = None
    document: str | None = None


def split_posting(text: str) -> tuple[str, int | None]:
    """``"ろうきん -10,000"`` → (``"ろうきん"``, -10000); no amount → (text, None).

    Raises:
      EntryRefused: the amount is not whole yen in half-width digits.
    """
    parts = text.strip().rsplit(None, 1)
    if len(parts) == 3 - 1 and parts[1] == "JPY":  # ("管理費 通信 1860 JPY")
        head = parts[0].rsplit(None, 1)
        if len(head) == 2 and _AMOUNT_LIKE.match(head[1]):
            parts = [head[0], head[1]]
    if len(parts) == 2 and _AMOUNT_LIKE.match(parts[1]):
        return parts[0], parse_amount(parts[1], f"'{text.strip()}' の金額")
    return text.strip(), None


def draft_of(
    ctx: Context, answers: Answers, names: Mapping[str, str] | None = None
) -> Draft:
    """The transaction the answers describe (checked when it is written).

    Raises:
      EntryRefused, LookupRefused: a value that cannot be read or found.
    """
    day = parse_date(answers.date) if answers.date else ctx.today
    if not answers.postings:
        raise EntryRefused(
            '仕訳の行を --posting "科目 金額" で二つ以上指定してください。'
        )
    lines = []
    for posting in answers.postings:
        account, amount = split_posting(posting)
        lines.append(Line(find_account(ctx.chart, account).name, amount))
    meta: list[tuple[str, str | bool]] = []
    if answers.member:
        meta.append(("member", find_member(ctx.books.roster, answers.member).id))
    if answers.supporter:
        found = find_supporter(ctx.books.roster, answers.supporter, names)
        meta.append(("supporter", found.id))
    if answers.decision:
        meta.append(("decision", answers.decision.strip()))
    draft = Draft(
        date=day,
        payee=clean_text(answers.payee, "取引先") or None if answers.payee else None,
        narration=clean_text(answers.narration or "", "摘要", required=True),
        lines=tuple(lines),
        meta=tuple(meta),
    )
    if answers.document:
        account = _voucher_account(ctx, draft)
        draft = replace(
            draft, voucher=plan(ctx.books.root, Path(answers.document), account, day)
        )
    return draft


def _voucher_account(ctx: Context, draft: Draft) -> str:
    """The account a voucher is filed under: the first expense paid, else the first line."""
    roots = Roots.of(ctx.books.options)
    for line, amount in zip(draft.lines, draft.amounts(), strict=True):
        if amount > 0 and roots.is_(line.account, Kind.EXPENSES):
            return line.account
    return draft.lines[0].account


def _ask(label: str, read: Callable[[str], T], default: str = "") -> T:
    """Ask until ``read`` accepts the answer; explain each refusal in Japanese."""
    while True:
        text = click.prompt(label, default=default, show_default=bool(default))
        try:
            return read(str(text))
        except Refused as exc:
            click.echo(f"エラー: {exc}", err=True)


def _optional(read: Callable[[str], T]) -> Callable[[str], T | None]:
    return lambda text: read(text) if text.strip() else None


def ask_missing(
    ctx: Context, answers: Answers, names: Mapping[str, str] | None = None
) -> Answers:
    """Ask for every value ``answers`` lacks (see the module docstring)."""
    out = replace(answers, postings=list(answers.postings))
    if out.date is None:
        day = _ask("日付", parse_date, ctx.today.isoformat())
        out.date = day.isoformat()
    if out.payee is None:
        out.payee = _ask("取引先 (なければ空)", lambda t: clean_text(t, "取引先"))
    if out.narration is None:
        out.narration = _ask("摘要", lambda t: clean_text(t, "摘要", required=True))
    if not out.postings:
        out.postings = _ask_lines(ctx)
    infos = [find_account(ctx.chart, split_posting(p)[0]) for p in out.postings]
    roles = {info.role for info in infos}
    if out.member is None and roles & set(DUES_ROLES):
        member = _ask(
            "会員 (会員ID か団体名の一部)", lambda t: find_member(ctx.books.roster, t)
        )
        click.echo(f"  → {member.id} {member.name}")
        out.member = member.id
    if out.supporter is None and roles & {Role.DONATION, Role.DESIGNATED_DONATION}:
        found = _ask(
            "サポーター (ID、匿名なら空)",
            _optional(lambda t: find_supporter(ctx.books.roster, t, names)),
        )
        out.supporter = found.id if found else None
    if out.decision is None and _needs_decision(infos):
        out.decision = _ask("決定ID (助成決定・運営委員会の決定)", _decision(ctx))
    roots = Roots.of(ctx.books.options)
    if out.document is None and any(roots.is_(i.name, Kind.EXPENSES) for i in infos):
        path = _ask("証憑のファイル (なければ空)", _optional(_existing_file))
        out.document = str(path) if path else None
    return out


def _needs_decision(infos: list[AccountInfo]) -> bool:
    return any(
        info.role in (Role.GRANT_EXPENSE, Role.FUND_EQUITY, Role.FUND_ASSET)
        for info in infos
    )


def _decision(ctx: Context) -> Callable[[str], str]:
    def read(text: str) -> str:
        wanted = text.strip()
        if not ctx.funds.known_decision(wanted):
            raise EntryRefused(ctx.funds.unknown_decision_message(wanted))
        return wanted

    return read


def _existing_file(text: str) -> Path:
    path = Path(text.strip()).expanduser()
    if not path.is_file():
        raise EntryRefused(f"ファイル {path} がありません。")
    return path


def _ask_lines(ctx: Context) -> list[str]:
    """The lines of the entry, one account and amount at a time, until it balances."""
    lines: list[tuple[AccountInfo, int | None]] = []
    while True:
        given = sum(amount or 0 for _, amount in lines)
        missing = any(amount is None for _, amount in lines)
        if len(lines) >= 2 and (missing or given == 0):
            break
        number = len(lines) + 1
        info = _ask(
            f"科目{number} (コードか名前の一部)",
            lambda t: find_account(ctx.chart, t),
        )
        click.echo(f"  → {info.name}")
        rest = f" (空なら残りの {yen_text(-given)})" if lines and not missing else ""
        if missing:
            amount: int | None = _ask(
                f"金額{number}", lambda t: parse_amount(t, "金額")
            )
        else:
            amount = _ask(f"金額{number}{rest}", _optional(parse_amount))
        lines.append((info, amount))
    return [
        info.name if amount is None else f"{info.name} {amount}"
        for info, amount in lines
    ]
