"""``connect-books import``: a bank statement CSV into the open 年度's journal, once.

Thin: read the statement and the rules (:mod:`connect_books.importers.config`), plan the
import (:func:`connect_books.importers.plan.plan_import`), print the preview in Japanese,
ask, and append the whole import with one :func:`connect_books.writer.append`.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from connect_books.cliparams import commit_option, ledger_argument, load_books

if TYPE_CHECKING:  # the library is imported when the command runs (--help stays fast)
    from connect_books.importers.importer import Proposal
    from connect_books.importers.plan import ImportPlan

#: How many new or already imported lines the preview lists (unmatched: all of them).
SHOWN = 50


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@ledger_argument
@click.option(
    "--bank", help="銀行の設定: yucho、roukin (import/banks/ の名前) か .toml ファイル"
)
@click.option(
    "--account",
    help="取り込む預金の口座 (コードか名前の一部。既定: 設定の銀行の口座)",
)
@click.option(
    "--rules",
    type=click.Path(dir_okay=False),
    help="取込の規則 (既定: import/rules.toml)",
)
@click.option("--yes", "-y", is_flag=True, help="確かめずに書き込む (残高確認も書く)")
@click.option("--no-balance", is_flag=True, help="残高確認 (balance) を書かない")
@commit_option
def import_statement(
    file: Path,
    ledger: str | None,
    bank: str | None,
    account: str | None,
    rules: str | None,
    yes: bool,
    no_balance: bool,
    git_commit: bool,
) -> None:
    """銀行の明細 (CSV) を取り込む。同じ行は二度取り込まない。

    FILE はインターネットバンキングから書き出した入出金明細の CSV (cp932 か UTF-8)。
    新しい行・取り込み済みの行・未割当の行を表示し、確かめてから年度の仕訳帳に書き込みます。
    """
    from connect_books.chart import Chart
    from connect_books.entry_lookup import find_account
    from connect_books.importers.config import (
        STATEMENT_ROLES,
        ImportData,
        choose_layout,
        default_account,
    )
    from connect_books.importers.plan import plan_import
    from connect_books.writer import CommitFailed, append

    books = load_books(ledger, clean=True, purpose="明細を取り込みません")
    data = ImportData.find(books, rules)
    matching = data.rules(books)  # (a bad rules file is said before any statement)
    layout, statement = choose_layout(data, bank, file)
    chart = Chart.from_entries(books.entries)
    chosen = (
        find_account(
            chart,
            account,
            among=lambda a: a.role in STATEMENT_ROLES,
            what="取り込む預金の口座",
        ).name
        if account
        else default_account(chart, layout)
    )
    plan = plan_import(books, statement, chosen, matching, datetime.date.today())
    _preview(plan)
    with_balance = plan.balance is not None and not no_balance
    if with_balance and not yes:
        with_balance = click.confirm("残高確認 (balance) も書きますか?", default=True)
    if not plan.new and not with_balance:
        click.echo("書き込むものはありません (帳簿は変わっていません)。")
        return
    if not yes and not click.confirm(
        f"{plan.target.name} に書き込みますか?", default=False
    ):
        click.echo("書き込みませんでした (帳簿は変わっていません)。")
        return
    message = f"Import {file.name}: {len(plan.new)} bank lines into {chosen}"
    try:
        written = append(
            books.path,
            plan.target,
            plan.text(with_balance=with_balance),
            message=message,
            git_commit=git_commit,
            loaded=books,
        )
    except CommitFailed as exc:
        click.echo(f"! {exc}", err=True)
        return
    extra = " と残高確認" if with_balance else ""
    click.echo(
        f"✓ {len(plan.new)}件{extra}を {written.target.name} の{written.first_line}行目から"
        "書き込みました。connect-books check で確かめられます。"
    )


def _preview(plan: ImportPlan) -> None:
    from connect_books.importers.plan import MONTH_END
    from connect_books.money import yen_text

    statement = plan.statement
    layout = statement.layout
    click.echo(
        f"明細: {statement.path.name} ({layout.name}、{statement.encoding}、"
        f"{len(statement.lines)}行、{statement.first_date}〜{statement.last_date})"
    )
    if not layout.confirmed:
        where = layout.path or layout.id
        click.echo(
            f"  ※ この銀行の設定 ({where}) は列の並びが未確認です。中身をよく確かめてください。"
        )
    click.echo(
        f"口座: {plan.account}  →  書き込み先: {plan.target.name} ({plan.year.label})"
    )
    account = plan.account
    _section(f"新しく取り込む {len(plan.new)}件", plan.new, SHOWN, account)
    _section(
        f"取り込み済み {len(plan.imported)}件 (書き込みません)",
        plan.imported,
        SHOWN,
        account,
    )
    if plan.unmatched:
        _section(
            f"未割当 {len(plan.unmatched)}件 (規則に当てはまらないため書き込みません)",
            plan.unmatched,
            None,
            account,
        )
        click.echo(
            "  → import/rules.toml に規則を足してもう一度取り込むか、手で記帳して"
            ' import-key: "取込キー" を付けてください (次の取込で取り込み済みになります)。'
        )
    closing = statement.closing_balance
    if closing is not None and plan.books_closing is not None:
        left = sum(p.line.amount for p in plan.unmatched)
        tail = f" + 未割当 {yen_text(left)}" if left else ""
        click.echo(
            f"残高: 明細の最終残高 {yen_text(closing)} = 取込後の帳簿 {yen_text(plan.books_closing)}"
            f"{tail} ✓"
        )
    if plan.balance is not None:
        assert plan.balance.amount.number is not None
        kind = "月末の残高確認" if plan.balance.meta.get(MONTH_END) else "残高確認"
        click.echo(
            f"{kind}: {plan.balance.date} balance {plan.account}"
            f" {int(plan.balance.amount.number)} JPY"
        )
    elif plan.balance_note:
        click.echo(f"残高確認: {plan.balance_note}")


def _section(
    title: str, proposals: tuple[Proposal, ...], limit: int | None, account: str
) -> None:
    click.echo(f"{title}:" if proposals else f"{title}")
    shown = proposals if limit is None else proposals[:limit]
    for proposal in shown:
        click.echo("  " + _row(proposal, account))
    if len(shown) < len(proposals):
        click.echo(f"  … ほか{len(proposals) - len(shown)}件")


def _row(proposal: Proposal, account: str) -> str:
    line, entry = proposal.line, proposal.entry
    side = "入金" if line.deposit else "出金"
    amount = f"{side} {abs(line.amount):>10,}円"
    if proposal.imported:
        return f"{line.date}  {amount}  {line.text}  取込キー {proposal.key}"
    if proposal.matched:
        counter = " / ".join(p.account for p in entry.postings if p.account != account)
        who = entry.payee or ""
        label = proposal.target.label if proposal.target else ""
        return (
            f"{line.date}  {amount}  {who}  {entry.narration}  → {counter}  [{label}]"
        )
    return (
        f"{line.line}行目 {line.date}  {amount}  {line.text}  ({proposal.reason})"
        f"  取込キー {proposal.key}"
    )
