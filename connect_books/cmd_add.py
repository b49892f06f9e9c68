"""``connect-books add`` (a transaction) and ``connect-books balance`` (a month-end balance).

Thin: read the values (options, or Japanese prompts for what is missing), build a
:class:`~connect_books.entry.Draft`, show it, confirm, write it with
:func:`connect_books.entry.write`. The prompts are :mod:`connect_books.entry_prompt`'s.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from connect_books.cliparams import commit_option, ledger_argument

if TYPE_CHECKING:
    from connect_books.entry import Context, Draft


def finish(
    ctx: Context,
    draft: Draft,
    *,
    command: str,
    yes: bool,
    git_commit: bool,
) -> None:
    """Show the entry and where it goes, confirm (unless ``yes``), write, report."""
    from connect_books.entry import check, write, written_at
    from connect_books.entry_voucher import require_repository
    from connect_books.errors import Refused
    from connect_books.writer import CommitFailed

    check(ctx, draft)
    target = ctx.target(draft.date)
    if git_commit:
        require_repository(ctx.books.root)
    click.echo(f"次の仕訳を {_shown(target)} に書きます:\n")
    click.echo(draft.text())
    if not yes and not click.confirm("書き込みますか?", default=False):
        click.echo("書き込みませんでした (帳簿は変わっていません)。")
        return
    try:
        written = write(ctx, draft, command=command, git_commit=git_commit)
    except CommitFailed as exc:
        raise Refused(str(exc)) from None
    done = " (git commit しました)" if written.committed else ""
    click.echo(f"✓ 書き込みました: {written_at(written, Path.cwd())}{done}")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@click.command("add")
@ledger_argument
@click.option(
    "--date", "date_text", metavar="DATE", help="日付 (2026-12-05)。既定は今日"
)
@click.option("--payee", help="取引先")
@click.option("--narration", help="摘要")
@click.option(
    "--posting",
    "postings",
    multiple=True,
    metavar='"科目 [金額]"',
    help="仕訳の行。科目はコード (1120) か名前の一部 (ろうきん)。金額のない行は一つまで (残りの金額)",
)
@click.option("--member", help="会員 (会員ID か団体名の一部): member: を付ける")
@click.option(
    "--supporter",
    help="サポーター (ID、名簿ファイルがあれば氏名でも): supporter: を付ける",
)
@click.option("--decision", help="決定ID (基金の助成・振替): decision: を付ける")
@click.option(
    "--document",
    type=click.Path(dir_okay=False),
    help="証憑のファイル (ledger/documents/ にコピーして結び付ける)",
)
@click.option(
    "--supporters",
    "supporters_file",
    type=click.Path(dir_okay=False),
    help="サポーターの名簿ファイル (氏名で探すとき)",
)
@click.option(
    "--yes", "-y", is_flag=True, help="確認せずに書く (スクリプト用: 尋ねない)"
)
@commit_option
def add(
    ledger: str | None,
    date_text: str | None,
    payee: str | None,
    narration: str | None,
    postings: tuple[str, ...],
    member: str | None,
    supporter: str | None,
    decision: str | None,
    document: str | None,
    supporters_file: str | None,
    yes: bool,
    git_commit: bool,
) -> None:
    """仕訳を一つ書く。足りない値は日本語で尋ね、書く前に仕訳を見せて確かめます。

    --yes のときは何も尋ねません: --narration と --posting (二つ以上) が要ります。
    """
    from connect_books.cliparams import load_books
    from connect_books.entry import Context
    from connect_books.entry_prompt import Answers, ask_missing, draft_of

    given = Answers(
        date=date_text,
        payee=payee,
        narration=narration,
        postings=list(postings),
        member=member,
        supporter=supporter,
        decision=decision,
        document=document,
    )
    ctx = Context(load_books(ledger, clean=False))
    names = _supporter_names(ctx, supporters_file)
    if not yes:
        given = ask_missing(ctx, given, names)
    draft = draft_of(ctx, given, names)
    finish(ctx, draft, command="connect-books add", yes=yes, git_commit=git_commit)


def _supporter_names(ctx: Context, given: str | None) -> dict[str, str] | None:
    """Supporter names from the supporters' file, when it is there (for name lookups)."""
    from connect_books.entry_supporters import read_supporters, supporters_path

    path = supporters_path(ctx.books.root, given)
    if given is None and not path.is_file():
        return None
    return {sid: p.name for sid, p in read_supporters(path, ctx.books.root).items()}


@click.command("balance")
@click.argument("account")
@click.argument("amount")
@ledger_argument
@click.option("--month", metavar="YYYY-MM", help="月 (既定: 先月)")
@click.option("--yes", "-y", is_flag=True, help="確認せずに書く")
@commit_option
def balance(
    account: str,
    amount: str,
    ledger: str | None,
    month: str | None,
    yes: bool,
    git_commit: bool,
) -> None:
    """月末の残高確認: 通帳の残高を翌月1日付の balance で書く (差額があれば書かない)。

    ACCOUNT は口座の科目 (コードか名前の一部)、AMOUNT は通帳・現金出納帳の月末残高。
    """
    from connect_books.cliparams import load_books
    from connect_books.entry import Context, parse_amount
    from connect_books.entry_balance import balance_check, write_balance
    from connect_books.errors import Refused
    from connect_books.money import yen_text
    from connect_books.writer import CommitFailed

    ctx = Context(load_books(ledger, clean=False))
    if month is None:
        month_of: str | datetime.date = ctx.today.replace(day=1) - datetime.timedelta(
            days=1
        )
    else:
        month_of = month
    check = balance_check(
        ctx, account, parse_amount(amount, "残高", zero=True), month_of
    )
    click.echo(f"{check.account} の{check.month_end.isoformat()} (月末) の残高")
    click.echo(f"  通帳   {yen_text(check.passbook):>16}")
    click.echo(f"  帳簿   {yen_text(check.books):>16}")
    click.echo(f"  差額   {yen_text(check.difference):>16}")
    if check.difference == 0 and not check.recorded:
        click.echo(f"\n次の残高確認を {_shown(ctx.target(check.day))} に書きます:\n")
        click.echo(check.text())
        if not yes and not click.confirm("書き込みますか?", default=False):
            click.echo("書き込みませんでした (帳簿は変わっていません)。")
            return
    try:
        written = write_balance(
            ctx, check, command="connect-books balance", git_commit=git_commit
        )
    except CommitFailed as exc:
        raise Refused(str(exc)) from None
    done = " (git commit しました)" if written.committed else ""
    click.echo(f"✓ 書き込みました: {_shown(written.target)}:{written.first_line}{done}")
