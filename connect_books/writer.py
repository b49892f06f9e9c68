"""The one safe way to add text to the books: lock, validate everything, write atomically.

Every command that writes the books (``close-year``, and later ``add``, ``dues pay`` and the
bank import) calls :func:`append`::

    from connect_books.writer import WriteRefused, append

    try:
        append(main, main.parent / "2026.beancount", text, message="Add a payment")
    except WriteRefused as refused:
        print(refused)            # Japanese, with ``file:line: message`` for each problem

What it guarantees:

* one writer at a time: an exclusive ``fcntl.flock`` on ``<ledger dir>/.connect-books.lock``
  (waiting up to ``timeout`` seconds, then refusing);
* nothing that makes the books worse: the whole books are parsed with the new text placed
  where it will land (same file, same line numbers), booked, and run through every plugin
  and Beancount's validation; any error that was not there before refuses the write.
  When the caller's books are still as loaded and the text holds only directives that
  booking and Beancount's own checks pass over (a settlement, a decision), only the new
  text is parsed and the rules run again on the loaded entries plus it
  (:mod:`connect_books.incremental`: the same errors, without loading everything again);
* no torn files: each file is written to a temporary file in the same folder, flushed and
  fsync'ed, then ``os.replace``'d over the old one and the folder fsync'ed, so a crash or
  ``kill -9`` leaves the old file or the new one, never a mixture. A new ``target`` is
  included from the main file the same way (the target first, then the ``include`` line);
* nothing changes on refusal. The new mtime invalidates Beancount's pickle cache.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connect_books import atomic, cache, progress, trusted
from connect_books.books import Books, format_error, load, unchanged
from connect_books.errors import Refused
from connect_books.gate import forbidden_character, place_message, place_metadata
from connect_books.incremental import errors_after_append

#: Kept here for the callers that name them (the lock and debris live in ``atomic``).
LOCK_NAME = atomic.LOCK_NAME
TEMP_SUFFIX = atomic.TEMP_SUFFIX
DEFAULT_TIMEOUT = atomic.DEFAULT_TIMEOUT
# Directives that change the whole books (``plugin`` runs code): only main.beancount has them.
_GLOBAL = re.compile(r"^\s*(?:plugin|include|option)\b", re.MULTILINE)


class WriteRefused(Refused):
    """Nothing was written. ``str()`` is the Japanese reason; ``problems`` the new errors."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.message = message
        self.problems = tuple(problems)
        super().__init__("\n".join([message, *problems]))


class CommitFailed(Exception):
    """The books were written, but ``git commit`` failed (the message says why)."""


@dataclass(frozen=True)
class Written:
    """What :func:`append` did."""

    target: Path
    #: The line of ``target`` where the text begins.
    first_line: int
    #: Whether an ``include`` line for ``target`` was added to the main file.
    include_added: bool
    committed: bool


def append(
    ledger_main: Path,
    target: Path,
    text: str,
    *,
    message: str,
    git_commit: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    loaded: Books | None = None,
) -> Written:
    """Append ``text`` to ``target``, if the books stay as valid as they were.

    Args:
      ledger_main: The main file of the books (``ledger/main.beancount``).
      target: The ``.beancount`` file to append to, in the main file's folder (or below);
        created and included from the main file if it is not included yet.
      text: Beancount text (directives), UTF-8; no control characters but newline and tab,
        and no ``plugin``/``include``/``option`` lines.
      message: The git commit message (English), used when ``git_commit``.
      git_commit: ``git add`` and ``git commit`` the written files in the books' repository.
      timeout: Seconds to wait for another writer's lock.
      loaded: The books as the caller just loaded them; reused (not loaded again) if
        no file has changed since.
    Returns:
      Where the text landed.
    Raises:
      WriteRefused: nothing was written (the reason is in Japanese).
      CommitFailed: the text was written but could not be committed.
    """
    main = Path(ledger_main).resolve()
    folder = main.parent
    target = (folder / target).resolve()  # an absolute target stays as it is
    _check_target(main, target)
    text = _check_text(text)
    repo = _git_toplevel(folder) if git_commit else None

    with _locked(folder, timeout):
        old_text = _decode(target.read_bytes(), target) if target.exists() else ""
        separator = _separator(old_text)
        first_line = (old_text + separator).count("\n") + 1

        before = (
            loaded
            if loaded is not None and loaded.path == main and unchanged(loaded)
            else load(main)
        )
        included = str(target) in {
            str(Path(name).resolve()) for name in before.options["include"]
        }
        texts = {target: old_text + separator + text}
        main_text = None
        if not included:  # a new file, or one a killed writer left without its include
            main_text = _decode(main.read_bytes(), main)
            include = f'include "{target.relative_to(folder).as_posix()}"\n'
            texts[main] = main_text + _line_separator(main_text) + include
        with progress.phase("追記した帳簿を検証しています"):
            after = errors_after_append(
                before,
                target,
                old_text,
                text,
                first_line,
                whole=texts[target],
                main_text=main_text,
            )
        if after is None:
            _land(main, before.errors, texts, "追記する")
        else:
            _refuse_new(folder, before.errors, after, "追記する")
            _write(folder, texts)
        cache.forget()  # the books changed: the load in hand is not theirs any more

        committed = False
        if repo is not None:
            _git_commit(repo, list(texts), message)
            committed = True
    return Written(
        target=target,
        first_line=first_line,
        include_added=not included,
        committed=committed,
    )


def replace(
    ledger_main: Path,
    path: Path,
    text: str,
    *,
    expected: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Replace the whole text of one file of the books, if they stay as valid as they were.

    For editors that rewrite a file (Fava's source editor and entry forms).

    Args:
      ledger_main: The main file of the books.
      path: A file of the books (already included), not a settled record's file.
      text: Its new text.
      expected: The bytes the caller read before editing; if the file changed since,
        nothing is written (another writer came first).
    Raises:
      WriteRefused: nothing was written (the reason is in Japanese).
    """
    main = Path(ledger_main).resolve()
    folder = main.parent
    path = Path(path).resolve()
    if not path.is_relative_to(folder) or path.suffix != ".beancount":
        raise WriteRefused(f"{path} は帳簿のファイルではありません。")
    with _locked(folder, timeout):
        if expected is not None and path.read_bytes() != expected:
            raise WriteRefused(
                f"{path.name} はほかの処理が先に書き換えました。読み込み直してから、"
                "もう一度編集してください (帳簿は変わっていません)。"
            )
        before = load(main)
        _land(main, before.errors, {path: text})
        cache.forget()


@contextmanager
def _locked(folder: Path, timeout: float) -> Iterator[None]:
    """The books' lock (a refusal to wait is a :class:`WriteRefused`), debris cleared."""
    try:
        with atomic.locked(folder, timeout):
            atomic.recover(folder)
            yield
    except atomic.LockRefused as exc:
        raise WriteRefused(str(exc)) from None


def _land(
    main: Path,
    before_errors: Sequence[Any],
    texts: Mapping[Path, str],
    verb: str = "書き込む",
) -> None:
    """Validate the books as ``texts`` would leave them; write them all, or refuse.

    Call under the lock.
    """
    folder = main.parent
    with progress.phase("書き込んだ後の帳簿を検証しています"):
        _, after_errors, _ = trusted.load(main, overrides=texts)
    _refuse_new(folder, before_errors, after_errors, verb)
    _write(folder, texts)


def _refuse_new(
    folder: Path, before: Sequence[Any], after: Sequence[Any], verb: str
) -> None:
    """Refuse the write if ``after`` has errors that ``before`` did not."""
    new_errors = _new_errors(before, after)
    if new_errors:
        raise WriteRefused(
            f"書き込みをやめました: {verb}と帳簿に新しいエラーが{len(new_errors)}件"
            "出ます。次の 'ファイル:行' の内容を直してから、もう一度実行してください"
            " (帳簿は変わっていません)。",
            [format_error(error, folder) for error in new_errors],
        )


def _write(folder: Path, texts: Mapping[Path, str]) -> None:
    """Replace the files with ``texts``, all or nothing (a failure is a refusal)."""
    try:
        atomic.replace_all(
            folder, {path: text.encode("utf-8") for path, text in texts.items()}
        )
    except OSError as exc:
        raise WriteRefused(
            f"{_written_name(exc, texts) or folder} に書き込めませんでした ({exc.strerror})。"
            "ディスクの空きと書き込み権限を確認してください (帳簿は変わっていません)。"
        ) from exc


def _written_name(exc: OSError, texts: Mapping[Path, str]) -> str | None:
    """The file of the books a failed write was for (never its temporary copy)."""
    for name in (exc.filename2, exc.filename):
        if not name:
            continue
        path = Path(str(name))
        for target in texts:
            if path == target or (
                path.parent == target.parent
                and path.name.startswith(f".{target.name}.")
                and path.name.endswith(atomic.TEMP_SUFFIX)
            ):
                return str(target)
    return str(exc.filename) if exc.filename else None


def _check_target(main: Path, target: Path) -> None:
    if not main.is_file():
        raise WriteRefused(f"帳簿ファイル {main} が見つかりません。")
    if target.suffix != ".beancount":
        raise WriteRefused(
            f"書き込み先 {target.name} は .beancount のファイルではありません。"
        )
    if not target.is_relative_to(main.parent):
        raise WriteRefused(
            f"書き込み先 {target} が帳簿のフォルダ ({main.parent}) の外にあります。"
        )
    if '"' in str(target) or "\\" in str(target):
        raise WriteRefused(f'書き込み先の名前 {target.name} に " や \\ は使えません。')
    if target == main:
        raise WriteRefused(
            "main.beancount には追記できません。年度の仕訳帳などに書いてください。"
        )


def _check_text(text: str) -> str:
    bad = forbidden_character(text)
    if "\r" in text and (bad is None or text.index("\r") < text.index(bad[1])):
        bad = (text.count("\n", 0, text.index("\r")) + 1, "\r")  # no line breaks but \n
    if bad is not None:
        line, char = bad
        raise WriteRefused(
            f"追記する内容の{line}行目に制御文字 (U+{ord(char):04X}) があります。"
            "摘要や取引先に改行・制御文字を入れないでください。"
        )
    directive = _GLOBAL.search(text)
    if directive:
        raise WriteRefused(
            f"追記する内容に '{directive.group()}' の行があります。plugin・include・option は"
            " main.beancount にだけ、手で書きます。"
        )
    for line, key in place_metadata(text):  # (the gate's rule, on the quick path too)
        raise WriteRefused(f"追記する内容の{line}行目: {place_message(key)}")
    if not text.strip():
        raise WriteRefused("追記する内容が空です。")
    return text if text.endswith("\n") else text + "\n"


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriteRefused(
            f"{path} が UTF-8 ではありません。UTF-8 で保存し直してください。"
        ) from exc


def _line_separator(old: str) -> str:
    return "\n" if old and not old.endswith("\n") else ""


def _separator(old: str) -> str:
    """What goes between the old text and the new: end the last line, then one blank line."""
    if not old:
        return ""
    if old.endswith("\n\n"):
        return ""
    return "\n" if old.endswith("\n") else "\n\n"


def _error_key(error: Any) -> tuple[str, str, str]:
    """What makes an error the same one before and after a write: its kind, its file and
    its message, not its line (an edit above it moves it without making it new)."""
    source = error.source or {}
    return (
        type(error).__name__,
        str(source.get("filename", "?")),
        " ".join(str(error.message).split()),
    )


def _new_errors(before: Sequence[Any], after: Sequence[Any]) -> list[Any]:
    """Errors of ``after`` that ``before`` did not have (as multisets); a settlement
    overdue is no reason to refuse a write (:func:`connect_books.errors.reminder`)."""
    from connect_books.errors import reminder

    seen = Counter(_error_key(error) for error in before)
    new = []
    for error in after:
        if reminder(error):
            continue
        key = _error_key(error)
        if seen[key] > 0:
            seen[key] -= 1
        else:
            new.append(error)
    return new


def _git_toplevel(folder: Path) -> Path:
    result = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise WriteRefused(
            f"{folder} は git のリポジトリの中にありません。--git を外すか、git init してください。"
        )
    return Path(result.stdout.strip())


def _git_commit(repo: Path, paths: Sequence[Path], message: str) -> None:
    names = [str(path) for path in paths]
    for command in (
        ["add", "--", *names],
        ["commit", "-q", "-m", message, "--", *names],
    ):
        result = subprocess.run(
            ["git", "-C", str(repo), *command],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommitFailed(
                "帳簿には書き込みましたが、git commit に失敗しました: "
                + " ".join((result.stderr or result.stdout).split())
            )
