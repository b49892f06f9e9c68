"""Voucher files uploaded to the 記帳 page, kept between the preview and the write.

The preview stores the upload in a private temporary folder (outside the books) under its
SHA-256, and the confirm form carries only that key (``<sha256>/<name>``). The write
finds the file by its key, checks that its content still has that hash, and hands the
path to :func:`connect_books.entry_voucher.plan` like a file named on the command line,
which copies it into ``ledger/documents/`` when the entry is written.

Vouchers are personal papers (receipts with names), so nothing stays behind: the folder
goes when the server ends (``connect-books serve`` turns ``SIGTERM`` into a normal stop
for this); a folder left by a server that was killed is removed by the next server of the
same user (its name carries the process number); and an upload never confirmed is removed
after :data:`MAX_AGE` seconds.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from connect_books.entry_voucher import MAX_BYTES, VoucherRefused

_KEY = re.compile(r"^([0-9a-f]{64})/([^/\\]{1,120})$")
_UNSAFE = re.compile(r"[^\w.\-]+")
#: The start of the folder's name; then the server's process number and "-".
PREFIX = "connect-books-vouchers-"
_FOLDER = re.compile(re.escape(PREFIX) + r"(\d+)-")
#: Seconds an upload is kept without being confirmed (a preview left open).
MAX_AGE = 24 * 3600


def stored_name(filename: str) -> str:
    """A safe file name for what the browser called ``filename`` (any folder dropped)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("-", name).strip(".-")[-100:]
    return name or "voucher"


class Uploads:
    """The uploaded vouchers of one server process (deleted when it ends, or unconfirmed
    after :data:`MAX_AGE`); making one removes those of servers that were killed."""

    def __init__(self) -> None:
        remove_orphans(Path(tempfile.gettempdir()))
        self._folder: Path | None = None
        self._lock = threading.Lock()
        #: The largest request accepted: a voucher and the form around it.
        self.max_request = MAX_BYTES + 1024 * 1024

    def _root(self) -> Path:
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
                atexit.register(shutil.rmtree, self._folder, ignore_errors=True)
            self._expire(self._folder, time.time())
            return self._folder

    def _expire(self, root: Path, now: float) -> None:
        """Remove the uploads older than :data:`MAX_AGE` (never confirmed)."""
        for folder in root.iterdir():
            try:
                if folder.is_dir() and now - folder.stat().st_mtime > MAX_AGE:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue

    def keep(self, filename: str, stream: IO[bytes]) -> str:
        """Store an upload; its key for the confirm form.

        Raises:
          VoucherRefused: empty or too large.
        """
        root = self._root()
        sha = hashlib.sha256()
        temp = root / f".upload.{os.getpid()}.{threading.get_ident()}"
        size = 0
        with temp.open("wb") as out:
            for block in iter(lambda: stream.read(1 << 16), b""):
                size += len(block)
                if size > MAX_BYTES:
                    out.close()
                    temp.unlink()
                    raise VoucherRefused(
                        f"証憑のファイル {filename} が大きすぎます "
                        f"({MAX_BYTES // (1024 * 1024)} MB まで)。"
                    )
                sha.update(block)
                out.write(block)
        if size == 0:
            temp.unlink()
            raise VoucherRefused(f"証憑のファイル {filename} が空です。")
        digest = sha.hexdigest()
        name = stored_name(filename)
        folder = root / digest
        folder.mkdir(exist_ok=True)
        os.replace(temp, folder / name)
        os.utime(folder)  # (kept from now, even if the same file came before)
        return f"{digest}/{name}"

    def path_of(self, key: str) -> Path | None:
        """The stored file of ``key`` ("" → None).

        Raises:
          VoucherRefused: no such upload, or its content changed.
        """
        if not key:
            return None
        match = _KEY.match(key)
        path = self._root() / key if match else None
        if match is None or path is None or not path.is_file():
            raise VoucherRefused(
                "証憑のファイルが見つかりません。もう一度ファイルを選んでください。"
            )
        if hashlib.sha256(path.read_bytes()).hexdigest() != match.group(1):
            raise VoucherRefused(
                "証憑のファイルが変わっています。もう一度ファイルを選んでください。"
            )
        return path

    def name_of(self, key: str) -> str:
        """The file name shown for ``key`` ("" when there is none)."""
        match = _KEY.match(key)
        return match.group(2) if match else ""

    def forget(self, key: str) -> None:
        """Delete a stored upload (its entry is written)."""
        if _KEY.match(key) and self._folder is not None:
            shutil.rmtree(self._folder / key.split("/")[0], ignore_errors=True)


def remove_orphans(temp: Path) -> None:
    """Remove the voucher folders of this user's servers that are no longer running."""
    try:
        found = list(temp.iterdir())
    except OSError:
        return
    for folder in found:
        match = _FOLDER.match(folder.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            if folder.stat().st_uid != os.getuid() or _running(int(match.group(1))):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's process: running)
        return True
    return True
