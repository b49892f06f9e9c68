"""Supporters' names and addresses: a file kept OUTSIDE the books (個人情報保護法).

The books know a supporter only by ID (``custom "supporter" "S0001"``). A receipt needs
the name, and a mailed one the address; they come from a CSV file that is never in the
ledger folder (which the 監事 and Fava see) and never in git::

    ID,氏名,敬称,郵便番号,住所
    S0001,山田 花子,様,156-0051,東京都世田谷区宮坂3-13-13
    C0001,株式会社みらい商店,御中,,

``ID`` and ``氏名`` are required; ``敬称`` (default 様), ``郵便番号`` and ``住所`` may be
empty. UTF-8 (with or without BOM) or Excel's Shift_JIS (cp932) are read.

Where it is: ``--supporters FILE``, else ``$CONNECT_BOOKS_SUPPORTERS``, else
``private/supporters.csv`` beside the ledger folder (``ledger/../private/``). A file
inside the ledger folder is refused.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from connect_books.errors import Refused

#: The environment variable naming the supporters' file.
SUPPORTERS_ENV = "CONNECT_BOOKS_SUPPORTERS"
#: The default place, relative to the folder holding the ledger folder.
DEFAULT_RELATIVE = Path("private") / "supporters.csv"
_COLUMNS = {
    "ID": "id",
    "サポーターID": "id",
    "氏名": "name",
    "名称": "name",
    "敬称": "honorific",
    "郵便番号": "postcode",
    "住所": "address",
}
FORMAT_HELP = (
    "一行目を ID,氏名,敬称,郵便番号,住所 にした CSV (UTF-8 か Shift_JIS) で、サポーターごとに"
    " 一行書いてください (敬称・郵便番号・住所は空でもかまいません)。"
)


class SupportersRefused(Refused):
    """The supporters' file is missing, misplaced or malformed."""


@dataclass(frozen=True)
class Person:
    """A supporter's name and address, as the receipt prints them."""

    id: str
    name: str
    honorific: str = "様"
    postcode: str = ""
    address: str = ""

    @property
    def addressed(self) -> str:
        """``山田 花子 様``."""
        return f"{self.name} {self.honorific}".strip()


def supporters_path(ledger_root: Path, given: str | os.PathLike[str] | None) -> Path:
    """The supporters' file to read (see the module docstring)."""
    chosen = given or os.environ.get(SUPPORTERS_ENV)
    if chosen:
        return Path(chosen).resolve()
    return (Path(ledger_root).resolve().parent / DEFAULT_RELATIVE).resolve()


def read_supporters(path: Path, ledger_root: Path) -> dict[str, Person]:
    """Supporter ID → name and address.

    Raises:
      SupportersRefused: the file is missing, inside the ledger folder, not a CSV of
        the documented columns, or names an ID twice.
    """
    path = Path(path).resolve()
    if path.is_relative_to(Path(ledger_root).resolve()):
        raise SupportersRefused(
            f"サポーターの名簿ファイル {path} が帳簿のフォルダの中にあります。氏名・住所は個人情報"
            "なので、帳簿のフォルダ (監事や Fava が見る場所) の外に移してください"
            f" (既定は {DEFAULT_RELATIVE})。"
        )
    if not path.is_file():
        raise SupportersRefused(
            f"サポーターの名簿ファイル {path} がありません。帳簿には ID しか書かないので、"
            f"領収書の宛名はこのファイルから読みます。{FORMAT_HELP} 場所は --supporters か "
            f"{SUPPORTERS_ENV} で指定できます。"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError:
            raise SupportersRefused(
                f"{path.name} を UTF-8 でも Shift_JIS でも読めません。{FORMAT_HELP}"
            ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SupportersRefused(f"{path.name} が空です。{FORMAT_HELP}")
    header = [_COLUMNS.get(cell.strip(), "") for cell in rows[0]]
    if "id" not in header or "name" not in header:
        raise SupportersRefused(
            f"{path.name} の一行目 ({','.join(rows[0])}) に ID と 氏名 の列がありません。{FORMAT_HELP}"
        )
    people: dict[str, Person] = {}
    for number, row in enumerate(rows[1:], start=2):
        fields = {
            key: cell.strip() for key, cell in zip(header, row, strict=False) if key
        }
        if not any(fields.values()):
            continue
        sid, name = fields.get("id", ""), fields.get("name", "")
        if not sid or not name:
            raise SupportersRefused(
                f"{path.name}:{number}: ID と 氏名 を書いてください。"
            )
        if sid in people:
            raise SupportersRefused(
                f"{path.name}:{number}: ID {sid} が二度書かれています。"
            )
        people[sid] = Person(
            sid,
            name,
            fields.get("honorific") or "様",
            fields.get("postcode", ""),
            fields.get("address", ""),
        )
    return people
