"""Files the commands write for people: never a live formula, never over the wrong file.

* :func:`spreadsheet_text` neutralises a text cell that a spreadsheet would evaluate
  (``=HYPERLINK(…)``, ``+1``, ``-1+1``, ``@SUM``, a leading tab or carriage return) by
  putting an apostrophe in front, as Excel itself shows typed text.
* :func:`write_file` writes through a temporary file and ``os.replace``; it refuses a
  target that exists and is not a regular file (a device, a folder, a link) or that the
  user cannot write, and it reports a full disk in Japanese, leaving the old file as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from connect_books.errors import Refused

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class OutputRefused(Refused):
    """An output file that must not or cannot be written."""


def spreadsheet_text(text: str) -> str:
    """``text`` as a spreadsheet will show it, never evaluate it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def check_target(path: Path) -> None:
    """Refuse a target that is not a regular file or that may not be written.

    Raises:
      OutputRefused: the path is a folder, a device, a link or a read-only file.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise OutputRefused(
            f"出力先 {path} は普通のファイルではありません (フォルダ・デバイス・リンク)。"
            "別のファイル名を -o で指定してください。"
        )
    if not os.access(path, os.W_OK) or not info.st_mode & stat.S_IWUSR:
        raise OutputRefused(
            f"出力先 {path} は書き込み禁止のファイルです。上書きしません。"
            "別のファイル名を指定するか、ファイルの書き込み禁止を外してください。"
        )


def write_file(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` all at once (temporary file, then rename).

    Raises:
      OutputRefused: see :func:`check_target`; or the folder cannot be written, or the
        disk is full (the old file, if any, is unchanged).
    """
    path = Path(path)
    check_target(path)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise OutputRefused(
            f"{folder} にファイルを作れません ({exc.strerror})。書き込めるフォルダを指定してください。"
        ) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(mode if mode is not None else 0o644 & ~_umask())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if exc.errno == errno.ENOSPC:
            raise OutputRefused(
                f"ディスクがいっぱいで {path} を書けませんでした。空きを作ってから、もう一度実行してください。"
            ) from None
        raise OutputRefused(f"{path} を書けませんでした ({exc.strerror})。") from None
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
