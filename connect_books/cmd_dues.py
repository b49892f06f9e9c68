"""``connect-books dues pay`` and ``dues invoice``: a member's dues in, invoices out. Thin.

``pay`` builds the entry with :func:`connect_books.entry_dues.dues_entry` (the 年度,
arrears and advance payments as the README describes) and writes it with
:func:`connect_books.entry.write`; ``invoice`` writes one 会費請求書 per member that owes
(:mod:`connect_books.reports.invoice`).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from connect_books.cliparams import DATE, FISCAL_YEAR, commit_option, ledger_argument
from connect_books.fiscal import FiscalYear


@click.group("dues")
def dues() -> None:
    """会費: 入金を書く (pay)、会費請求書を作る (invoice)。"""


@dues.command("pay")
@click.argument("member")
@ledger_argument
@click.option(
    "--year",
    type=FISCAL_YEAR,
    metavar="YEAR",
    help="会費の年度 (既定: 未納の最も古い年度)",
)
@click.option("--date", "day", type=DATE, metavar="DATE", help="入金日 (既定: 今日)")
@click.option("--amount", metavar="N", help="金額 (既定: その年度の未納額)")
@click.option(
    "--account",
    metavar="A",
    help="入金した口座 (コードか名前の一部、既定: 預金)。未収会費: 3月31日付の未収計上、前受会費: 4月1日付の振替",
)
@click.option("--dry-run", is_flag=True, help="仕訳を見せるだけで、書かない")
@commit_option
def pay(
    member: str,
    ledger: str | None,
    year: FiscalYear | None,
    day: datetime.date | None,
    amount: str | None,
    account: str | None,
    dry_run: bool,
    git_commit: bool,
) -> None:
    """会費の入金を書く。MEMBER は会員ID か団体名の一部。

    年度が今の年度なら 受取会費、前の年度なら 未収会費 の回収、翌年度なら 前受会費 にします。
    """
    from connect_books.cliparams import load_books
    from connect_books.cmd_add import finish
    from connect_books.entry import Context, check, parse_amount
    from connect_books.entry_dues import dues_account, dues_entry
    from connect_books.entry_lookup import find_member

    ctx = Context(load_books(ledger, clean=False))
    who = find_member(ctx.books.roster, member)
    draft = dues_entry(
        ctx,
        who,
        day=day,
        year=year,
        amount=parse_amount(amount) if amount else None,
        account=dues_account(ctx, account) if account else None,
    )
    if dry_run:
        check(ctx, draft)
        click.echo(
            f"次の仕訳を {ctx.target(draft.date).name} に書きます (--dry-run: 書きません):\n"
        )
        click.echo(draft.text())
        return
    finish(
        ctx, draft, command="connect-books dues pay", yes=True, git_commit=git_commit
    )


@dues.command("invoice")
@ledger_argument
@click.option(
    "--year", type=FISCAL_YEAR, required=True, metavar="YEAR", help="会費の年度"
)
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False),
    default="out",
    show_default=True,
    help="書き出すフォルダ",
)
@click.option("--date", "issued", type=DATE, metavar="DATE", help="発行日 (既定: 今日)")
@click.option(
    "--due",
    "due_date",
    type=DATE,
    metavar="DATE",
    help="お支払期限 (既定: 発行日の30日後)",
)
def invoice(
    ledger: str | None,
    year: FiscalYear,
    folder: str,
    issued: datetime.date | None,
    due_date: datetime.date | None,
) -> None:
    """会費請求書 (A4 の Excel) を、その年度の会費が未納の会員ごとに一つ書き出す。"""
    from connect_books.cliparams import load_books
    from connect_books.money import yen_text
    from connect_books.reports.index import build_index
    from connect_books.reports.invoice import invoices, write_invoice

    books = load_books(ledger, purpose="請求書を作りません")
    today = issued or datetime.date.today()
    made = invoices(build_index(books.entries, books.options), year, today, due_date)
    if not made:
        click.echo(
            f"{year.label}の会費が未納の会員はありません (請求書は作りませんでした)。"
        )
        return
    for item in made:
        path = write_invoice(item, Path(folder) / item.filename)
        click.echo(f"✓ {path}  {item.member.name}  {yen_text(item.amount)}")
    total = sum(item.amount for item in made)
    click.echo(f"{year.label}の会費請求書 {len(made)}通、合計 {yen_text(total)}。")
