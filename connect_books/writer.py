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
  and Beancount's validation; any error that was not there before refuses the write;
* no torn files: each file is written to a temporary file in the same folder, flushed and
  fsync'ed, then ``os.replace``'d over the old one and the folder fsync'ed, so a crash or
  ``kill -9`` leaves the old file or the new one, never a mixture. A new ``target`` is
  included from the main file the same way (the target first, then the ``include`` line);
* nothing changes on refusal. The new mtime invalidates Beancount's pickle cache.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connect_books.beancompat import load_text_as_file
from connect_books.books import format_error, load
from connect_books.errors import Refused

#: The lock file, in the folder of the main file.
LOCK_NAME = ".connect-books.lock"
#: Seconds to wait for another writer before refusing.
DEFAULT_TIMEOUT = 30.0
#: Suffix of the temporary files; any left in the folder are debris of a killed writer.
TEMP_SUFFIX = ".connect-books-tmp"

# Control characters other than tab and newline, line/paragraph separators, and the
# bidirectional overrides that make text read differently from what it is.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# Directives that change the whole books (``plugin`` runs code): only main.beancount has them.
_GLOBAL = re.compile(r"^(?:plugin|include|option)\b", re.MULTILINE)


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
        _remove_debris(folder, target)
        old = target.read_bytes() if target.exists() else b""
        old_text = _decode(old, target)
        separator = _separator(old_text)
        first_line = (old_text + separator).count("\n") + 1

        before = load(main)
        included = target in {
            Path(name).resolve() for name in before.options["include"]
        }
        if included:
            added, added_first = text, first_line
        else:  # a new file, or one a killed writer left without its include line
            added, added_first = old_text + separator + text, 1
        _, after_errors, _ = load_text_as_file(
            main, added, filename=target, first_line=added_first
        )
        new_errors = _new_errors(before.errors, after_errors)
        if new_errors:
            raise WriteRefused(
                f"書き込みをやめました: 追記すると帳簿に新しいエラーが{len(new_errors)}件"
                "出ます。次の 'ファイル:行' の内容を直してから、もう一度実行してください"
                " (帳簿は変わっていません)。",
                [format_error(error, folder) for error in new_errors],
            )

        written = [target]
        try:
            _atomic_write(target, old + (separator + text).encode("utf-8"))
            if not included:
                main_text = _decode(main.read_bytes(), main)
                include = f'include "{target.relative_to(folder).as_posix()}"\n'
                main_text += _line_separator(main_text) + include
                _atomic_write(main, main_text.encode("utf-8"))
                written.append(main)
        except OSError as exc:
            raise WriteRefused(
                f"{exc.filename or target} に書き込めませんでした ({exc.strerror})。"
                "ディスクの空きと書き込み権限を確認してください (帳簿は変わっていません)。"
            ) from exc

        committed = False
        if repo is not None:
            _git_commit(repo, written, message)
            committed = True
    return Written(
        target=target,
        first_line=first_line,
        include_added=not included,
        committed=committed,
    )


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
    bad = _FORBIDDEN.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise WriteRefused(
            f"追記する内容の{line}行目に制御文字 (U+{ord(bad.group()):04X}) があります。"
            "摘要や取引先に改行・制御文字を入れないでください。"
        )
    directive = _GLOBAL.search(text)
    if directive:
        raise WriteRefused(
            f"追記する内容に '{directive.group()}' の行があります。plugin・include・option は"
            " main.beancount にだけ、手で書きます。"
        )
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


@contextmanager
def _locked(folder: Path, timeout: float) -> Iterator[None]:
    """Hold the books' exclusive lock (released even if the process is killed)."""
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriteRefused(
                        f"ほかの処理が帳簿に書き込み中です ({timeout:g}秒待ちました)。"
                        "しばらく待ってから、もう一度実行してください (帳簿は変わっていません)。"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _remove_debris(folder: Path, target: Path) -> None:
    """Delete temporary files a killed writer left (only the lock holder makes them)."""
    for place in {folder, target.parent}:
        for leftover in place.glob(f".*{TEMP_SUFFIX}"):
            with suppress(OSError):
                leftover.unlink()


def _atomic_write(path: Path, content: bytes) -> None:
    """Replace ``path`` by ``content``: temp file, fsync, ``os.replace``, fsync the folder."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    folder_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)


def _error_key(error: Any) -> tuple[str, str, str]:
    source = error.source or {}
    where = f"{source.get('filename', '?')}:{source.get('lineno', '?')}"
    return (type(error).__name__, where, " ".join(str(error.message).split()))


def _new_errors(before: Sequence[Any], after: Sequence[Any]) -> list[Any]:
    """Errors of ``after`` that ``before`` did not have (as multisets)."""
    seen = Counter(_error_key(error) for error in before)
    new = []
    for error in after:
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
