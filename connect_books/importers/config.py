"""Where the import's data lives and which importer reads a file.

The import data is a folder of TOML files next to the books, ``import/`` at the top of
the repository (beside ``ledger/``)::

    import/rules.toml               rules from payee to entry (committed)
    import/banks/yucho.toml         bank CSV layouts (--bank yucho)
    import/banks/roukin.toml
    private/import-supporters.toml  individual supporters' transfer names (personal data:
                                    with the project's other personal data, never in git)

``--rules FILE`` names another rules file; the ``banks/`` folder beside it is used when
there is one, else ``import/banks/``.
:func:`importers` gives Fava's import page the same importers as the command: one per
bank layout and account of that bank (``bank:`` in the account's ``open``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connect_books.books import Books
from connect_books.chart import Chart, Role
from connect_books.errors import Refused, did_you_mean
from connect_books.importers.decode import StatementRefused
from connect_books.importers.importer import BankImporter
from connect_books.importers.layout import Layout, load_layout
from connect_books.importers.rules import (
    PRIVATE_SUPPORTERS,
    RULES_FILE,
    Rules,
    load_rules,
)
from connect_books.importers.statement import Statement, read_statement

IMPORT_FOLDER = "import"
BANKS_FOLDER = "banks"
#: Roles of the accounts a statement may be imported into, in order of preference.
STATEMENT_ROLES = (Role.BANK, Role.FUND_ASSET)


@dataclass(frozen=True)
class ImportData:
    """The rules file and the bank layouts beside it."""

    rules_path: Path
    #: The individual supporters' transfer names (read when the file exists).
    private_path: Path
    #: The folder of bank layouts.
    banks: Path

    @classmethod
    def find(cls, books: Books, rules: str | Path | None = None) -> ImportData:
        """``rules`` if given, else ``import/rules.toml`` beside the ledger folder; the
        bank layouts beside the rules file, else in ``import/banks/``."""
        top = books.root.parent
        private = top / PRIVATE_SUPPORTERS
        banks = top / IMPORT_FOLDER / BANKS_FOLDER
        if rules is None:
            return cls(top / IMPORT_FOLDER / RULES_FILE, private, banks)
        chosen = Path(rules).resolve()
        beside = chosen.parent / BANKS_FOLDER
        return cls(chosen, private, beside if beside.is_dir() else banks)

    def layouts(self) -> dict[str, Layout]:
        """Every layout in the banks folder, by file stem (``yucho``)."""
        return {
            path.stem: load_layout(path) for path in sorted(self.banks.glob("*.toml"))
        }

    def rules(self, books: Books) -> Rules:
        """The rules, checked against the books' roster and chart."""
        chart = Chart.from_entries(books.entries)
        return load_rules(self.rules_path, books.roster, chart, self.private_path)


#: What the treasurer can do when no layout reads a file (the command's options).
CLI_HINT = "--bank で銀行を指定するか、"


def choose_layout(
    data: ImportData, bank: str | None, path: Path, *, hint: str = CLI_HINT
) -> tuple[Layout, Statement]:
    """The layout ``bank`` names (a preset or a ``.toml`` file), or the one that reads ``path``.

    ``hint`` begins the advice when no layout reads the file.

    Raises:
      StatementRefused: the named layout does not read the file (the reason why), or
        no layout reads it.
      Refused: ``bank`` names no layout.
    """
    if not path.is_file():
        what = "フォルダです" if path.is_dir() else "見つかりません"
        raise Refused(f"明細のファイル {path} が{what}。ファイル名を確かめてください。")
    if bank is not None and bank.endswith(".toml"):
        layout = load_layout(Path(bank))
        return layout, read_statement(path, layout)
    layouts = data.layouts()
    if bank is not None:
        if bank not in layouts:
            near = did_you_mean(bank, layouts).replace("近いID", "近い名前")
            known = "、".join(layouts) or "(なし)"
            msg = f"銀行の設定 '{bank}' は {data.banks} にありません (あるもの: {known})。{near}"
            raise Refused(msg)
        layout = layouts[bank]
        return layout, read_statement(path, layout)
    reasons = []
    for layout in layouts.values():
        try:
            return layout, read_statement(path, layout)
        except StatementRefused as exc:
            reasons.append(f"  {layout.name}: {exc}")
    msg = (
        f"{path.name} を読める銀行の設定がありません。{hint}"
        f"{data.banks} に設定を足してください。\n" + "\n".join(reasons)
    )
    raise StatementRefused(msg)


def default_account(chart: Chart, layout: Layout) -> str:
    """The one bank account (``role: bank``, else a fund's) at the layout's bank.

    Raises:
      Refused: there is none, or more than one (then ``--account`` chooses).
    """
    for role in STATEMENT_ROLES:
        found = [
            a.name for a in chart.with_role(role) if a.bank and a.bank == layout.bank
        ]
        if len(found) == 1:
            return found[0]
        if found:
            msg = f"{layout.bank} の口座が複数あります ({'、'.join(found)})。--account で指定してください。"
            raise Refused(msg)
    msg = (
        f'{layout.bank or layout.name} の口座が科目表にありません (open に bank: "{layout.bank}" と'
        ' role: "bank" のある科目)。--account で取り込む科目を指定してください。'
    )
    raise Refused(msg)


def importers(books: Books, data: ImportData | None = None) -> list[BankImporter]:
    """One importer per bank layout and account at that bank (for Fava's import page)."""
    data = data or ImportData.find(books)
    rules = data.rules(books)
    chart = Chart.from_entries(books.entries)
    found = []
    for layout in data.layouts().values():
        for role in STATEMENT_ROLES:
            for account in chart.with_role(role):
                if account.bank and account.bank == layout.bank:
                    found.append(BankImporter(layout, account.name, rules))
    return found
