"""The books' lock and all-or-nothing file replacement, across crashes.

* :func:`locked`: one writer at a time, an exclusive ``fcntl.flock`` on
  ``<ledger dir>/.connect-books.lock`` (released by the kernel if the holder is killed).
* :func:`replace_all`: replace one or more files so that a crash or ``kill -9`` at any
  moment leaves either all the old files or all the new ones. Each new text is written to
  a temporary file in the same folder and fsync'ed. With more than one file, an *intent*
  (``.connect-books-intent``, listing temporary → final names) is then written and
  fsync'ed before the first ``os.replace``: from that moment the write is decided, and
  :func:`recover` finishes it if the process died half-way.
* :func:`recover`: run under the lock before anything else reads or writes the books;
  it completes a decided write and deletes the debris of an undecided one.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from connect_books.errors import Refused

#: The lock file, in the folder of the main file.
LOCK_NAME = ".connect-books.lock"
#: The intent of a multi-file write, in the folder of the main file.
INTENT_NAME = ".connect-books-intent"
#: Suffix of the temporary files; any left without an intent are debris of a killed writer.
TEMP_SUFFIX = ".connect-books-tmp"
#: Seconds to wait for another writer before refusing.
DEFAULT_TIMEOUT = 30.0


class LockRefused(Refused):
    """The lock could not be had (another writer, or a folder that cannot be written)."""


@contextmanager
def locked(folder: Path, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the books' exclusive lock for the ``with`` block.

    Raises:
      LockRefused: another writer held it for ``timeout`` seconds, or the lock file
        cannot be created (a read-only folder).
    """
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LockRefused(
            f"帳簿のフォルダ {folder} に書き込めません ({exc.strerror})。"
            "フォルダの書き込み権限を確かめてください (帳簿は変わっていません)。"
        ) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockRefused(
                        f"ほかの処理が帳簿に書き込み中です ({timeout:g}秒待ちました)。"
                        "しばらく待ってから、もう一度実行してください (帳簿は変わっていません)。"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_for(path: Path, content: bytes) -> Path:
    """``content`` in a new fsync'ed temporary file beside ``path`` (same permissions)."""
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
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    return Path(temp)


def replace_all(folder: Path, contents: Mapping[Path, bytes]) -> None:
    """Replace every file of ``contents`` (all inside ``folder``), all or nothing.

    Call under :func:`locked`. Raises ``OSError`` (nothing replaced) when a temporary
    file cannot be written, e.g. on a full disk.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, content in contents.items():
            temps.append((_temp_for(path, content), path))
    except BaseException:
        for temp, _ in temps:
            with suppress(OSError):
                temp.unlink()
        raise
    intent = folder / INTENT_NAME
    if len(temps) > 1:
        record = json.dumps([[str(t), str(p)] for t, p in temps]).encode("utf-8")
        intent_temp = _temp_for(intent, record)
        os.replace(intent_temp, intent)  # the write is decided from here on
        _fsync_folder(folder)
    try:
        for temp, path in temps:
            os.replace(temp, path)
    except OSError:
        if len(temps) == 1:  # (nothing was decided: leave no copy of the file behind)
            with suppress(OSError):
                temps[0][0].unlink()
        raise
    for place in {path.parent for _, path in temps} | {folder}:
        _fsync_folder(place)
    if len(temps) > 1:
        intent.unlink()
        _fsync_folder(folder)


def pending(folder: Path) -> bool:
    """Whether a decided write waits to be finished (see :func:`recover`)."""
    return (folder / INTENT_NAME).is_file()


def recover(folder: Path) -> None:
    """Finish a decided write, then delete temporary files nobody will use. Under the lock.

    Only what :func:`replace_all` could have decided is carried out: a temporary file
    named for its final file (``.NAME.…`` + :data:`TEMP_SUFFIX`) beside it, both inside
    ``folder`` and neither a symbolic link. Anything else in an intent (a file that was
    not written by this program, or a malformed one) is ignored, and the intent removed.
    """
    intent = folder / INTENT_NAME
    if intent.is_file() and not intent.is_symlink():
        try:
            pairs = json.loads(intent.read_text(encoding="utf-8"))
        except (ValueError, OSError):  # never completed: nothing was decided
            pairs = []
        for pair in pairs if isinstance(pairs, list) else []:
            decided = _decided(folder, pair)
            if decided is not None:
                os.replace(*decided)
        _fsync_folder(folder)
        intent.unlink()
        _fsync_folder(folder)
    elif intent.is_symlink():
        intent.unlink()  # (never one the writer made)
    elif intent.exists():
        raise LockRefused(
            f"帳簿のフォルダに {INTENT_NAME} というフォルダがあります。書き込みの途中の記録に"
            "使う名前なので、中を確かめてから消してください (帳簿は変わっていません)。"
        )
    for place, _, names in os.walk(folder):  # (links to folders are not followed)
        for name in names:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                leftover = Path(place) / name
                if leftover.is_file() and not leftover.is_symlink():
                    with suppress(OSError):
                        leftover.unlink()


def _decided(folder: Path, pair: object) -> tuple[Path, Path] | None:
    """The (temporary, final) files of one pair of an intent, if :func:`replace_all`
    could have written it (see :func:`recover`)."""
    if not (
        isinstance(pair, list)
        and len(pair) == 2
        and all(isinstance(name, str) for name in pair)
    ):
        return None
    temp, path = Path(pair[0]), Path(pair[1])
    inside = os.path.realpath(folder)
    if not (
        temp.parent == path.parent
        and temp.name.startswith(f".{path.name}.")
        and temp.name.endswith(TEMP_SUFFIX)
        and os.path.commonpath([inside, os.path.realpath(path.parent)]) == inside
        and temp.is_file()
        and not temp.is_symlink()
        and not path.is_symlink()
    ):
        return None
    return temp, path
