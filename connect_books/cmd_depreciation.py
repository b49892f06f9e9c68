"""``connect-books depreciation``: the year's depreciation entry, for the treasurer to confirm.

Thin: read the fixed assets (:class:`connect_books.fixed_assets.FixedAssets`), print the
entry the 年度 still needs, and only with ``--write`` append it through
:func:`connect_books.writer.append` to the 年度's journal (never silently). A refusal is
printed by the command group as ``エラー: …``.
"""

from __future__ import annotations

from pathlib import Path

import click

from connect_books.cliparams import (
    FISCAL_YEAR,
    commit_option,
    ledger_argument,
    load_books,
)
from connect_books.errors import Refused, where
from connect_books.fiscal import FiscalYear, jdate


@click.command("depreciation")
@ledger_argument
@click.option(
    "--year",
    type=FISCAL_YEAR,
    required=True,
    metavar="YEAR",
    help="年度 (2025 や 2025年度)",
)
@click.option("--write", is_flag=True, help="表示した仕訳を年度の仕訳帳に書き込む")
@commit_option
def depreciation(
    ledger: str | None, year: FiscalYear, write: bool, git_commit: bool
) -> None:
    """年度の減価償却の仕訳を表示する (--write で仕訳帳に書き込む)。

    固定資産台帳 (取得の行の asset: と life:) から定額法・月割で計算します。
    """
    from connect_books.fixed_assets import FixedAssets
    from connect_books.money import yen_text
    from connect_books.writer import CommitFailed, append

    books = load_books(ledger, clean=False)  # the writer refuses any new error
    if books.errors:
        click.echo(
            f"注意: 帳簿に{len(books.errors)}件のエラーがあります (connect-books check で確認できます)。",
            err=True,
        )
    assets = FixedAssets.from_entries(books.entries)
    if assets.problems:
        lines = "\n".join(f"{where(p.meta)}: {p.message}" for p in assets.problems)
        raise Refused(f"固定資産の記録に直すところがあります:\n{lines}")
    if not assets.assets:
        click.echo(
            f"{year.label}: 固定資産 (固定資産の科目に asset: のある取得) はありません。"
        )
        return
    missing = [a.id for a in assets.assets.values() if assets.expense_for(a) is None]
    if missing:
        raise Refused(
            f"資産 {'、'.join(missing)} の減価償却費の科目が決まりません。"
            "減価償却費の科目の open に depreciation: TRUE を一つだけ書くか、"
            '取得の行に depreciation-account: "Expenses:…" を書いてください。'
        )
    for asset in sorted(assets.assets.values(), key=lambda a: a.id):
        planned = assets.planned(asset, year)
        due = assets.due(asset, year)
        click.echo(
            f"  {asset.id} {asset.name}: 取得 {jdate(asset.acquired)} {yen_text(asset.cost)}"
            f" 耐用年数 {asset.life}年 → {year.label}の償却 {yen_text(planned)}"
            f" (未記帳 {yen_text(due)})"
        )
    text = assets.entry_text(year)
    if not text:
        click.echo(f"✓ {year.label}の減価償却はすべて記帳済みです。")
        return
    click.echo(f"\n{year.label}の減価償却の仕訳 (確認してください):\n")
    click.echo(text)
    if not write:
        click.echo("書き込むには --write を付けて、もう一度実行してください。")
        return
    target = books.root / f"{year.year}.beancount"
    try:
        written = append(
            books.path,
            target,
            text,
            message=f"Depreciation for FY{year.year}",
            git_commit=git_commit,
        )
    except CommitFailed as exc:
        click.echo(f"! {exc}", err=True)
        return
    click.echo(
        f"✓ {Path(written.target).name}:{written.first_line} に書き込みました。"
        "connect-books check で確認できます。"
    )
