"""Voucher files uploaded to the 記帳 page, kept between the preview and the write.

The preview stores the upload in a private temporary folder (outside the books) under its
SHA-256, and the confirm form carries only that key (``<sha256>/<name>``). The write
finds the file by its key, checks that its content still has that hash, and hands the
path to :func:`connect_books.entry_voucher.plan` like a file named on the command line,
which copies it into ``ledger/documents/`` when the entry is written.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import IO

from connect_books.entry_voucher import MAX_BYTES, VoucherRefused

_KEY = re.compile(r"^([0-9a-f]{64})/([^/\\]{1,120})$")
_UNSAFE = re.compile(r"[^\w.\-]+")


def stored_name(filename: str) -> str:
    """A safe file name for what the browser called ``filename`` (any folder dropped)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("-", name).strip(".-")[-100:]
    return name or "voucher"


class Uploads:
    """The uploaded vouchers of one server process (deleted when it ends)."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._lock = threading.Lock()
        #: The largest request accepted: a voucher and the form around it.
        self.max_request = MAX_BYTES + 1024 * 1024

    def _root(self) -> Path:
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="connect-books-vouchers-"))
                atexit.register(shutil.rmtree, self._folder, ignore_errors=True)
            return self._folder

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
