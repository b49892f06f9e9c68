"""Fava's own writes (source editor, entry forms, metadata) through the project's writer.

Plain Fava rewrites a file in place, without the project's lock and without our rules.
:func:`install_write_guard` (treasurer mode only; ``--auditor`` is read-only) replaces
each Fava ledger's file module by :class:`GuardedFileModule`, whose writes:

* take the books' lock (the same one as ``close-year``, ``add`` and the import);
* validate the whole books with every rule in memory, with the new text in place;
* land atomically (temporary file + ``os.replace``), or not at all;
* refuse with the Japanese reason, which Fava shows beside the editor or form.

Fava's own text surgery (which lines an entry spans, where metadata goes) is reused: it
runs on a private copy of the file, and the copy's new text is what the writer validates
and writes. New entries from Fava's add form go to the 年度's journal file
(:func:`connect_books.journal_target.journal_file`: never a settled 年度), never to ``main.beancount``;
the entries of one save (Fava's import page saves many) land in one append.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from beancount.core import account, data
from fava.beans.str import to_string
from fava.core import FavaLedger
from fava.core import file as fava_file
from fava.core.file import ExternallyChangedError, FileModule
from fava.helpers import FavaAPIError
from fava.util import next_key
from flask import Flask, Response, request

from connect_books import writer
from connect_books.entry import line_breaking
from connect_books.errors import Refused
from connect_books.fava_import import unassigned
from connect_books.journal_target import journal_file


class GuardedFileModule(FileModule):
    """Fava's file module, writing only through :mod:`connect_books.writer`."""

    def __init__(self, ledger: FavaLedger, main: Path) -> None:
        super().__init__(ledger)
        self.main = main

    def set_source(self, path: Path, source: str, sha256sum: str) -> str:
        """The source editor's save: the whole file, if its hash is still ``sha256sum``."""
        with self._lock:
            _, current = self.get_source(path)
            if current != sha256sum:
                raise ExternallyChangedError(path)
            _guarded(lambda: writer.replace(self.main, path, source))
            self._reloaded(path)
            return fava_file._sha256_str(source)

    def insert_metadata(self, entry_hash: str, basekey: str, value: str) -> None:
        """Add a metadata line to an entry (e.g. a document link)."""
        with self._lock:
            entry = self.ledger.get_entry(entry_hash)
            key = next_key(basekey, entry.meta)
            indent = self.ledger.fava_options.indent
            path, lineno = fava_file._get_position(entry)
            self._edit(
                path,
                lambda copy: fava_file.insert_metadata_in_file(
                    copy, lineno, indent, key, value
                ),
            )

    def save_entry_slice(
        self, entry_hash: str, source_slice: str, sha256sum: str
    ) -> str:
        """Replace the lines of one entry (the entry editor's save)."""
        with self._lock:
            entry = self.ledger.get_entry(entry_hash)
            path = fava_file._get_position(entry)[0]
            result: list[str] = []
            self._edit(
                path,
                lambda copy: result.append(
                    fava_file.save_entry_slice(
                        _moved(entry, copy), source_slice, sha256sum
                    )
                ),
            )
            return result[0]

    def delete_entry_slice(self, entry_hash: str, sha256sum: str) -> None:
        """Delete the lines of one entry."""
        with self._lock:
            entry = self.ledger.get_entry(entry_hash)
            path = fava_file._get_position(entry)[0]
            self._edit(
                path,
                lambda copy: fava_file.delete_entry_slice(
                    _moved(entry, copy), sha256sum
                ),
            )

    def insert_entries(self, entries: Sequence[Any]) -> None:
        """New entries (Fava's forms, its import page): one append to their 年度's journal.

        All of them land in one locked, validated, atomic write, or none does; entries of
        two 年度 are refused (the import page never proposes them).
        """
        refusal = unassigned(entries) or multi_line_text(entries)
        if refusal is not None:
            raise FavaAPIError(refusal)
        options = self.ledger.fava_options
        with self._lock:
            existing = self._entries()
            texts: dict[Path, list[str]] = {}
            for entry in sorted(entries, key=lambda e: e.date):
                try:
                    target = journal_file(self.main, existing, entry.date)
                except Refused as refused:
                    raise FavaAPIError(str(refused)) from None
                texts.setdefault(target, []).append(
                    to_string(entry, options.currency_column, options.indent)
                )
            if len(texts) > 1:
                names = "、".join(path.name for path in texts)
                raise FavaAPIError(
                    f"二つの年度の仕訳 ({names}) は一度に書けません。年度ごとに分けて"
                    "保存してください (帳簿は変わっていません)。"
                )
            for target, parts in texts.items():
                message = (
                    "Fava: add an entry"
                    if len(parts) == 1
                    else f"Fava: add {len(parts)} entries"
                )
                _guarded(partial(_append, self.main, target, "\n".join(parts), message))
                self._reloaded(target)

    def _entries(self) -> list[data.Directive]:
        """The ledger's entries, as Beancount's types (Fava types them abstractly)."""
        return list(self.ledger.all_entries)  # type: ignore[arg-type]

    def _edit(self, path: Path, change: Callable[[Path], object]) -> None:
        """Run Fava's ``change`` on a private copy of ``path``; write its result safely."""
        original = path.read_bytes()
        with tempfile.TemporaryDirectory(prefix="connect-books-fava-") as folder:
            copy = Path(folder) / path.name
            shutil.copyfile(path, copy)
            change(copy)
            text = copy.read_text(encoding="utf-8")
        _guarded(lambda: writer.replace(self.main, path, text, expected=original))
        self._reloaded(path)

    def _reloaded(self, path: Path) -> None:
        self.ledger.watcher.notify(path)
        self.ledger.load_file()


def _append(main: Path, target: Path, text: str, message: str) -> None:
    writer.append(main, target, text, message=message)


def _moved(entry: Any, copy: Path) -> Any:
    """``entry`` as if it stood in ``copy`` (same line)."""
    return entry._replace(meta={**entry.meta, "filename": str(copy)})


def _guarded(write: Callable[[], object]) -> None:
    try:
        write()
    except writer.WriteRefused as refused:
        raise FavaAPIError(str(refused)) from None


def install_write_guard(app: Flask, main: Path) -> None:
    """Make every ledger of ``app`` write through the project's writer (treasurer mode)."""
    slugs = app.config["LEDGERS"]
    load = slugs._load

    def guarded_load() -> list[FavaLedger]:
        ledgers: list[FavaLedger] = load()
        for ledger in ledgers:
            ledger.file = GuardedFileModule(ledger, main)
        return ledgers

    slugs._load = guarded_load
    if slugs._ledgers is not None:
        for ledger in slugs._ledgers:
            ledger.file = GuardedFileModule(ledger, main)
    app.before_request(_keep_vouchers)


def _keep_vouchers() -> Response | None:
    """Fava's 「Delete」 of a document unlinks the file directly (no lock, no rule): a
    voucher is a record, so it is never deleted from the browser."""
    if request.endpoint == "json_api.delete_document":
        return Response(
            '{"error": "証憑のファイルは Fava から消せません。取引の記録なので、消すときは'
            '会計担当が documents/ から手で (git で履歴を残して) 消してください。"}',
            403,
            mimetype="application/json",
        )
    return None


def multi_line_text(entries: Sequence[Any]) -> str | None:
    """The refusal for new entries whose text has a line break or a control character.

    What ``connect-books add`` and the 記帳 page refuse (:func:`connect_books.entry.
    clean_text`): Fava's own forms would write it as a string spanning lines, whose
    second line reads like a directive of its own.
    """
    for entry in entries:
        names = [getattr(entry, "account", None)]
        names.extend(p.account for p in getattr(entry, "postings", None) or ())
        for name in names:
            if isinstance(name, str) and not account.is_valid(name):
                return (
                    f"{entry.date} の仕訳の科目 '{name.splitlines()[0] if name else name}'"
                    " は科目名として読めません (改行や空白は使えません)。科目表の科目を選んで"
                    "ください (帳簿は変わっていません)。"
                )
        words = [
            *(getattr(entry, "tags", None) or ()),
            *(getattr(entry, "links", None) or ()),
        ]
        keys = [str(k) for meta in _metas(entry) for k in meta]
        if any(not _WORD.match(str(w)) for w in words) or any(
            not _KEY.match(k) for k in keys if not k.startswith("_")
        ):
            return (
                f"{entry.date} の仕訳のタグ・リンク・メタデータの名前に使えない文字があります"
                " (改行・空白など)。(帳簿は変わっていません)。"
            )
        texts: list[tuple[str, object]] = [
            ("支払先", getattr(entry, "payee", None)),
            ("摘要", getattr(entry, "narration", None)),
            ("コメント", getattr(entry, "comment", None)),
        ]
        texts.extend(
            (str(key), value)
            for meta in _metas(entry)
            for key, value in meta.items()
            if not str(key).startswith("_")  # (Fava does not write these)
        )
        for what, value in texts:
            if not isinstance(value, str):
                continue
            char = line_breaking(value)
            if char is not None:
                return (
                    f"{entry.date} の仕訳の{what}に改行や制御文字 (U+{ord(char):04X}) は"
                    "書けません。一行で書いてください (帳簿は変わっていません)。"
                )
    return None


#: A tag or link (``#name``, ``^name``) and a metadata key, as Beancount's lexer reads them.
_WORD = re.compile(r"^[A-Za-z0-9\-_/.]+$")
_KEY = re.compile(r"^[a-z][a-zA-Z0-9\-_]*$")


def _metas(entry: Any) -> list[dict[str, Any]]:
    """The metadata of an entry and of its postings."""
    found = [dict(entry.meta or {})]
    found.extend(dict(p.meta or {}) for p in getattr(entry, "postings", None) or ())
    return found
