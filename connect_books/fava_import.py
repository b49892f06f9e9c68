"""Fava's import page (インポート) in treasurer mode, with the project's own importers.

The books cannot name an importer script (:mod:`connect_books.policy` forbids Fava's
``import-config`` and ``import-dirs`` options: a script named there would run). So
:func:`install_import` gives each Fava ledger a :class:`ProjectIngest` instead of Fava's
ingest module: the importers are :func:`connect_books.importers.config.importers` of the
books (one per bank layout and bank account, from ``import/`` beside ``ledger/``), and
nothing from the books' folder is ever executed.

* **Upload** (Fava's 「アップロード」): the file lands in the inbox,
  ``private/import-inbox/`` beside ``ledger/`` (a bank statement names people: it is
  personal data, which the project keeps in ``private/``, never in git, and outside
  ``documents/``; Fava's 「Move」 into ``documents/`` is refused for it). A file that no
  layout reads (encoding, header, not CSV …) or dated where nothing may be imported (a
  settled 年度, the future, two 年度) is refused with the Japanese reason and not kept.
* **Extract** (「抽出」): :func:`connect_books.importers.plan.plan_import`, as
  ``connect-books import`` does, so a refusal (closing balance, account, books with
  errors) is the same Japanese message. The entries shown are every line in statement order: lines already
  in the books marked as duplicates (Fava ignores them), the new entries, unmatched lines
  with a second posting to :data:`UNASSIGNED` (not an account: the form will not save
  until the treasurer picks one, or ticks 「ignore duplicate」 to leave the line out),
  and the offered balance assertion last.
* **Save**: Fava's ``add_entries`` goes to
  :meth:`connect_books.fava_writes.GuardedFileModule.insert_entries`: one locked,
  validated, atomic append to the open 年度's journal (never ``main.beancount``), where
  a line already imported (its ``import-key``) is a ``hygiene`` error that refuses the
  whole save.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from beancount.core import data
from fava.core import FavaLedger
from fava.core.ingest import (
    FileImporters,
    IngestModule,
    LoadedImportConfig,
    WrappedImporter,
)
from fava.json_api import FavaJSONAPIError, json_success
from flask import Flask, g, request

from connect_books.books import Books
from connect_books.errors import Refused
from connect_books.importers.config import ImportData, choose_layout, importers
from connect_books.importers.importer import BankImporter, Proposal
from connect_books.importers.openyear import statement_year
from connect_books.importers.plan import ImportPlan, plan_import

#: Where uploaded statements wait, relative to the folder above ``ledger/``.
INBOX = Path("private") / "import-inbox"
#: Shown as Fava's ``import-config`` (Fava shows its import page when it is set).
MARKER = "connect-books (import/banks/*.toml, import/rules.toml)"
#: The account of an unmatched line's second posting: not an account, to be replaced.
UNASSIGNED = "未割当:科目を選んでください"
#: Fava marks an entry to leave out with this metadata (beangulp's ``__duplicate__``).
DUPLICATE = "__duplicate__"
#: Shown under the entry in Fava's import dialog.
SOURCE = "__source__"
#: Larger files are not statements (Fava's own limit for import files).
MAX_BYTES = 8 * 1024 * 1024
UNCHANGED = "帳簿は変わっていません。"


class ImportRefusedError(FavaJSONAPIError):
    """An import the project refuses; Fava shows the Japanese message."""

    status = HTTPStatus.BAD_REQUEST


def inbox_of(main: Path) -> Path:
    """The upload folder of the books whose main file is ``main``."""
    return main.resolve().parent.parent / INBOX


class ProjectIngest(IngestModule):
    """Fava's ingest module with the project's importers and inbox (no import script)."""

    def __init__(self, ledger: FavaLedger, main: Path) -> None:
        super().__init__(ledger)
        self.main = main.resolve()
        self.inbox = inbox_of(self.main)
        self._importers: dict[str, BankImporter] | None = None

    @property
    def module_path(self) -> Path | None:
        """No import script: nothing for Fava to run or watch."""
        return None

    def load_file(self) -> None:
        """After each load of the books: Fava's options point at the inbox."""
        self.errors = ()
        self._importers = None
        self.loaded_config = None
        options = self.ledger.fava_options
        options.import_config = MARKER
        options.import_dirs = [str(self.inbox)]

    def books(self) -> Books:
        """The books as Fava loaded them."""
        entries: list[data.Directive] = list(self.ledger.all_entries)  # type: ignore[arg-type]
        return Books(
            self.main,
            entries,
            list(self.ledger.load_errors),
            dict(self.ledger.options),
        )

    def importers(self) -> dict[str, BankImporter]:
        """The project's importers, by name (built once per load of the books).

        Raises:
          ImportRefusedError: the rules or a bank layout cannot be read (why, in Japanese).
        """
        if self._importers is None:
            try:
                found = importers(self.books())
            except Refused as exc:
                raise ImportRefusedError(
                    f"取込の設定 (import/) が読めません: {exc}"
                ) from None
            self._importers = {importer.name: importer for importer in found}
            wrapped = {name: WrappedImporter(i) for name, i in self._importers.items()}
            self.loaded_config = LoadedImportConfig(wrapped, ())
        return self._importers

    def import_data(self) -> list[FileImporters]:
        """The files in the inbox and the importers that read them."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.importers()
        listed: list[FileImporters] = super().import_data()
        return listed

    def extract(self, filename: str, importer_name: str) -> list[Any]:
        """The proposed entries of one statement (see the module docstring)."""
        path = Path(filename)
        if not _inside(self.inbox, path):
            raise ImportRefusedError(
                f"{path.name} は取込フォルダ ({self.inbox}) のファイルではありません。"
            )
        importer = self.importers().get(importer_name)
        if importer is None:
            raise ImportRefusedError(
                f"取込の設定 {importer_name} がありません。ページを読み込み直してください。"
            )
        books = self.books()
        if books.errors:  # as ``connect-books import``: never into books with errors
            raise ImportRefusedError(
                f"帳簿に{len(books.errors)}件のエラーがあるため、明細を取り込みません。"
                "Fava の「エラー」か connect-books check で確認して直してから、もう一度抽出して"
                f"ください。{UNCHANGED}"
            )
        try:
            statement = importer.statement(str(path))
            plan = plan_import(
                books,
                statement,
                importer.account_name,
                importer.rules,
                datetime.date.today(),
            )
        except Refused as exc:
            raise ImportRefusedError(_unchanged(str(exc))) from None
        return proposed_entries(plan)


def proposed_entries(plan: ImportPlan) -> list[data.Directive]:
    """What Fava's import dialog shows for ``plan``, in the statement's order."""
    everything = sorted(
        [*plan.imported, *plan.new, *plan.unmatched], key=lambda p: p.line.line
    )
    entries: list[data.Directive] = [_shown(proposal) for proposal in everything]
    if plan.balance is not None:
        entries.append(plan.balance)
    return entries


def _shown(proposal: Proposal) -> data.Transaction:
    line = proposal.line
    meta = dict(proposal.entry.meta)
    source = f"{line.line}行目: {line.date} {line.amount:+,}円 {line.text}"
    if proposal.imported:
        meta[DUPLICATE] = True
        meta[SOURCE] = f"{source}\n取り込み済み (取込キー {proposal.key})"
        return proposal.entry._replace(meta=meta)
    if proposal.matched:
        label = proposal.target.label if proposal.target else ""
        meta[SOURCE] = f"{source}\n規則: {label}"
        return proposal.entry._replace(meta=meta)
    meta[SOURCE] = (
        f"{source}\n未割当: {proposal.reason}。科目を選ぶか、「ignore duplicate」で取り込まずに"
        "おいてください (import/rules.toml に規則を足すと次から自動で割り当てられます)。"
    )
    other = data.Posting(UNASSIGNED, None, None, None, None, None)
    return proposal.entry._replace(
        meta=meta, postings=[*proposal.entry.postings, other]
    )


def unassigned(entries: Iterable[Any]) -> str | None:
    """The refusal for entries that still hold :data:`UNASSIGNED`, or None."""
    for entry in entries:
        for posting in getattr(entry, "postings", ()) or ():
            if posting.account == UNASSIGNED:
                return (
                    f"{entry.date} の「{entry.narration}」の科目が未割当です。科目を選ぶか、"
                    f"「ignore duplicate」で取り込まずにおいてください。{UNCHANGED}"
                )
    return None


def _unchanged(message: str) -> str:
    """``message``, saying that the books did not change (once)."""
    return message if "変わっていません" in message else f"{message}\n{UNCHANGED}"


def _inside(folder: Path, path: Path) -> bool:
    try:
        resolved = path.resolve()
    except (OSError, ValueError):
        return False
    return resolved.is_relative_to(folder.resolve()) and resolved.is_file()


def _upload_name(name: str) -> str:
    """The uploaded file's base name, without folders or characters that hide it."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c if c.isprintable() else "_" for c in base).strip(" .")
    return base or "statement.csv"


def _free_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``stem-2.csv`` … when that is taken (an upload keeps the older)."""
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return path


def check_upload(ingest: ProjectIngest, path: Path, name: str) -> None:
    """Refuse a statement no layout reads, or dated where nothing may be imported.

    Raises:
      ImportRefusedError: the Japanese reason.
    """
    books = ingest.books()
    try:
        data = ImportData.find(books)
        _, statement = choose_layout(data, None, path, hint=BROWSER_HINT)
        statement_year(statement.lines, books.entries, datetime.date.today(), name)
    except Refused as exc:
        message = f"{exc}\nアップロードしたファイルは保存していません。"
        raise ImportRefusedError(_unchanged(message.replace(path.name, name))) from None


#: What the treasurer can do when no bank layout reads an uploaded file.
BROWSER_HINT = "銀行から書き出したままの CSV か確かめるか、"


def _upload_view(main: Path) -> Callable[..., Any]:
    def upload_import_file(**_: Any) -> Any:
        ingest = g.ledger.ingest
        upload = request.files.get("file")
        if not isinstance(ingest, ProjectIngest) or upload is None:
            raise ImportRefusedError("ファイルが送られていません。")
        name = _upload_name(upload.filename or "")
        content = upload.stream.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            raise ImportRefusedError(
                f"{name} は大きすぎます ({MAX_BYTES // 1024 // 1024} MB まで)。銀行の明細の CSV を"
                f"アップロードしてください。{UNCHANGED}"
            )
        with tempfile.TemporaryDirectory(prefix="connect-books-upload-") as folder:
            probe = Path(folder) / "upload.csv"
            probe.write_bytes(content)
            check_upload(ingest, probe, name)
        ingest.inbox.mkdir(parents=True, exist_ok=True)
        target = _free_path(ingest.inbox, name)
        target.write_bytes(content)
        return json_success(f"{target.name} を取込フォルダに置きました。")

    return upload_import_file


def install_import(app: Flask, main: Path) -> None:
    """Give every ledger of ``app`` the project's importers (treasurer mode only)."""
    slugs = app.config["LEDGERS"]
    load = slugs._load

    def with_importers() -> list[FavaLedger]:
        ledgers: list[FavaLedger] = load()
        for ledger in ledgers:
            _replace_ingest(ledger, main)
        return ledgers

    slugs._load = with_importers
    if slugs._ledgers is not None:
        for ledger in slugs._ledgers:
            _replace_ingest(ledger, main)
    app.view_functions["json_api.put_upload_import_file"] = _upload_view(main)
    move: Callable[..., Any] = app.view_functions["json_api.put_move"]

    def guarded_move(**kwargs: Any) -> Any:
        """Fava's 「Move」 of a file: never a statement from the inbox into the books."""
        payload = request.get_json(silent=True)
        filename = payload.get("filename") if isinstance(payload, dict) else None
        if isinstance(filename, str) and Path(filename).resolve().is_relative_to(
            inbox_of(main)
        ):
            raise ImportRefusedError(
                "銀行の明細には個人の振込名が載っているので、帳簿の documents/ (git に入ります) には"
                "移しません。取り込んだ後は × で取込フォルダから消してください。"
            )
        return move(**kwargs)

    app.view_functions["json_api.put_move"] = guarded_move


def _replace_ingest(ledger: FavaLedger, main: Path) -> None:
    ledger.ingest = ProjectIngest(ledger, main)
    ledger.ingest.load_file()
