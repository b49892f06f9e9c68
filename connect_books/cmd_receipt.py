"""``connect-books receipt issue`` and ``receipt yearly``: 領収書 as A4 workbooks. Thin.

The receipts are :mod:`connect_books.reports.receipt`'s; supporters' names and
addresses come from the supporters' file outside the books
(:mod:`connect_books.entry_supporters`), members' names from the roster.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from connect_books.cliparams import DATE, FISCAL_YEAR, ledger_argument
from connect_books.fiscal import FiscalYear

if TYPE_CHECKING:
    from connect_books.books import Books
    from connect_books.reports.receipt import Addressee, Received

_OUTPUT = click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False),
    default="out",
    show_default=True,
    help="書き出すフォルダ",
)
_SUPPORTERS = click.option(
    "--supporters",
    "supporters_file",
    type=click.Path(dir_okay=False),
    help="サポーターの名簿ファイル (既定: $CONNECT_BOOKS_SUPPORTERS か ledger/../private/supporters.csv)",
)
_ISSUED = click.option(
    "--issued", type=DATE, metavar="DATE", help="発行日 (既定: 今日)"
)


@click.group("receipt")
def receipt() -> None:
    """領収書: 会費・寄付の入金ごと (issue)、サポーターごとの年間明細 (yearly)。"""


def _all_received(books: Books) -> list[Received]:
    from connect_books.chart import Chart
    from connect_books.funds import Funds
    from connect_books.reports.receipt import received

    chart = Chart.from_entries(books.entries)
    return received(books.entries, chart, Funds.from_entries(books.entries)[0])


def _addressee(
    books: Books, payer: str, kind: str, supporters_file: str | None
) -> Addressee:
    from connect_books.entry_supporters import read_supporters, supporters_path
    from connect_books.errors import Refused
    from connect_books.reports.receipt import Addressee

    if kind == "dues":
        return Addressee(f"{books.roster.members[payer].name} 御中")
    people = read_supporters(supporters_path(books.root, supporters_file), books.root)
    person = people.get(payer)
    if person is None:
        raise Refused(
            f"サポーター {payer} の氏名が名簿ファイルにありません。ファイルに {payer} の行を足してください。"
        )
    return Addressee(person.addressed, person.postcode, person.address)


@receipt.command("issue")
@click.argument("who")
@ledger_argument
@click.option(
    "--date", "day", type=DATE, metavar="DATE", help="入金日 (その日の入金の領収書)"
)
@click.option(
    "--year", type=FISCAL_YEAR, metavar="YEAR", help="年度 (その年度の入金すべて)"
)
@_ISSUED
@_OUTPUT
@_SUPPORTERS
def issue(
    who: str,
    ledger: str | None,
    day: datetime.date | None,
    year: FiscalYear | None,
    issued: datetime.date | None,
    folder: str,
    supporters_file: str | None,
) -> None:
    """会費・寄付の入金の領収書を書き出す。WHO は会員 (ID か団体名の一部) かサポーターID。

    --date も --year もなければ、いちばん新しい入金の領収書です。
    """
    from connect_books.cliparams import load_books
    from connect_books.entry_lookup import LookupRefused, find_member, find_supporter
    from connect_books.errors import Refused
    from connect_books.money import yen_text
    from connect_books.reports.receipt import write_receipt

    books = load_books(ledger, purpose="領収書を作りません")
    try:
        payer = find_member(books.roster, who).id
    except LookupRefused as not_member:
        try:
            payer = find_supporter(books.roster, who).id
        except LookupRefused as not_supporter:
            raise Refused(
                f"'{who}' は会員にもサポーターにも見つかりません。会員: {not_member}"
                f" サポーター: {not_supporter}"
            ) from None
    items = [r for r in _all_received(books) if r.payer == payer]
    if day is not None:
        items = [r for r in items if r.date == day]
    elif year is not None:
        items = [r for r in items if year.contains(r.date)]
    else:
        items = items[-1:]
    if not items:
        raise Refused(
            f"{payer} からの会費・寄付の入金が見つかりません (日付・年度を確かめてください)。"
        )
    to = _addressee(books, payer, items[0].kind, supporters_file)
    day_issued = issued or datetime.date.today()
    _not_before(day_issued, max(item.date for item in items))
    for item in items:
        path = Path(folder) / f"{item.number}_領収書.xlsx"
        write_receipt(item, to, day_issued, path)
        click.echo(f"✓ {path}  {item.purpose} {yen_text(item.amount)}")


@receipt.command("yearly")
@ledger_argument
@click.option("--year", type=FISCAL_YEAR, required=True, metavar="YEAR", help="年度")
@click.option(
    "--supporter",
    metavar="ID",
    help="このサポーターだけ (既定: その年度に寄付をした全員)",
)
@_ISSUED
@_OUTPUT
@_SUPPORTERS
def yearly(
    ledger: str | None,
    year: FiscalYear,
    supporter: str | None,
    issued: datetime.date | None,
    folder: str,
    supporters_file: str | None,
) -> None:
    """サポーターごとに、その年度のご寄付の一覧 (年間明細の領収書) を書き出す。"""
    from connect_books.cliparams import load_books
    from connect_books.entry_lookup import find_supporter
    from connect_books.entry_supporters import read_supporters, supporters_path
    from connect_books.errors import Refused
    from connect_books.money import yen_text
    from connect_books.reports.receipt import Addressee, write_yearly

    books = load_books(ledger, purpose="領収書を作りません")
    wanted = find_supporter(books.roster, supporter).id if supporter else None
    people = read_supporters(supporters_path(books.root, supporters_file), books.root)
    gifts = [
        r
        for r in _all_received(books)
        if r.kind == "donation"
        and year.contains(r.date)
        and (wanted is None or r.payer == wanted)
    ]
    if not gifts:
        raise Refused(f"{year.label}のサポーターからのご寄付はありません。")
    payers = sorted({r.payer for r in gifts})
    missing = [p for p in payers if p not in people]
    if missing:
        raise Refused(
            f"サポーターの名簿ファイルに {'、'.join(missing)} の氏名がありません。行を足してから、もう一度実行してください。"
        )
    day_issued = issued or datetime.date.today()
    _not_before(day_issued, max(r.date for r in gifts))
    for payer in payers:
        mine = [r for r in gifts if r.payer == payer]
        person = people[payer]
        to = Addressee(person.addressed, person.postcode, person.address)
        path = Path(folder) / f"RY{year.year}-{payer}_領収書_年間.xlsx"
        write_yearly(mine, to, year, day_issued, path)
        click.echo(f"✓ {path}  {len(mine)}件 {yen_text(sum(r.amount for r in mine))}")


def _not_before(issued: datetime.date, received: datetime.date) -> None:
    """Refuse a receipt dated before the money it acknowledges came in, or ahead."""
    from connect_books.errors import Refused

    if issued < received:
        raise Refused(
            f"発行日 {issued.isoformat()} は入金日 {received.isoformat()} より前です。"
            "領収書は受け取った日以後の日付で発行してください。"
        )
    if issued > datetime.date.today():
        raise Refused(
            f"発行日 {issued.isoformat()} は今日より先です。今日までの日付にしてください。"
        )
