"""Vouchers uploaded to the 記帳 page never stay behind (they are people's receipts).

A real ``connect-books serve`` stopped by ``SIGTERM`` (as a service manager or ``kill``
stops it) ends normally and removes the uploads never confirmed; a server that was killed
outright leaves its folder, which the next server removes; an upload never confirmed
expires after :data:`~connect_books.fava_ext.entry_page_uploads.MAX_AGE`.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from favatools import connect_books_command, free_port

from connect_books.entry_voucher import VoucherRefused
from connect_books.fava_ext import entry_page_uploads
from connect_books.fava_ext.entry_page_uploads import PREFIX, Uploads

EXPENSE = {
    "form": "expense",
    "date": "2026-11-20",
    "line": "Expenses:5210-管理費:5213-通信運搬費",
    "amount": "840",
    "paid_from": "Assets:1110-現金",
    "payee": "郵便局",
    "narration": "切手",
}


def dead_pid() -> int:
    """The number of a process that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def orphan(temp: Path, pid: int) -> Path:
    """A voucher folder as a server of process ``pid`` leaves it when killed."""
    folder = temp / f"{PREFIX}{pid}-abcd1234"
    (folder / ("0" * 64)).mkdir(parents=True)
    (folder / ("0" * 64) / "receipt.pdf").write_bytes(b"%PDF-1.4 a person's receipt\n")
    return folder


def multipart(
    fields: dict[str, str], file: tuple[str, str, bytes]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    field, filename, content = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of its own (``TMPDIR``) for this test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def test_a_server_stopped_by_sigterm_removes_the_unconfirmed_upload(
    sample_path: Path, tmp_path: Path, temp: Path
) -> None:
    books = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, books)
    left = orphan(temp, dead_pid())
    running = orphan(temp, os.getpid())  # (this test's own process: still running)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TMPDIR": str(temp), "CONNECT_BOOKS_CACHE": "off"}
    command = [connect_books_command(), "serve", str(books / "main.beancount")]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None
            try:
                with opener.open(base + "/", timeout=5) as response:
                    slug = response.url.removeprefix(base).strip("/").split("/")[0]
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        page = f"{base}/{slug}/extension/Kicho/"
        with opener.open(page + "?form=expense", timeout=60) as response:
            token = re.search(r'name="token" value="([^"]+)"', response.read().decode())
        assert token
        body, kind = multipart(
            {"token": token.group(1), **EXPENSE},
            ("voucher_file", "receipt.pdf", b"%PDF-1.4 the post office\n"),
        )
        request = urllib.request.Request(
            page + "preview", data=body, headers={"Content-Type": kind}
        )
        with opener.open(request, timeout=60) as response:
            preview = response.read().decode()
        assert re.search(r'name="voucher" value="[0-9a-f]{64}/receipt.pdf"', preview)
        mine = [p for p in temp.glob(f"{PREFIX}{server.pid}-*")]
        assert len(mine) == 1 and list(mine[0].rglob("receipt.pdf"))
        assert not left.exists()  # (the killed server's, removed when this one started)
        assert running.exists()
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert server.returncode == 0, output
    assert "KeyboardInterrupt" not in output, output  # (stopped, not interrupted)
    assert not list(temp.glob(f"{PREFIX}{server.pid}-*"))
    assert running.exists()


def test_an_upload_never_confirmed_expires(
    temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = Uploads()
    key = uploads.keep("領収書.pdf", BytesIO(b"%PDF-1.4 receipt\n"))
    path = uploads.path_of(key)
    assert path is not None and path.is_file()
    later = time.time() + entry_page_uploads.MAX_AGE + 60
    monkeypatch.setattr(entry_page_uploads.time, "time", lambda: later)
    with pytest.raises(VoucherRefused, match="もう一度ファイルを選んでください"):
        uploads.path_of(key)
    assert not path.exists()


def test_an_upload_chosen_again_is_kept_from_then(
    temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = Uploads()
    key = uploads.keep("a.pdf", BytesIO(b"%PDF-1.4 receipt\n"))
    path = uploads.path_of(key)
    assert path is not None
    old = time.time() - entry_page_uploads.MAX_AGE - 60
    os.utime(path.parent, (old, old))
    assert uploads.keep("a.pdf", BytesIO(b"%PDF-1.4 receipt\n")) == key
    assert uploads.path_of(key) == path


def test_only_this_users_folders_of_ended_servers_are_removed(temp: Path) -> None:
    ended = orphan(temp, dead_pid())
    alive = orphan(temp, os.getppid())
    other = temp / "connect-books-vouchers-x1y2"  # (not a server's folder name)
    other.mkdir()
    Uploads()
    assert not ended.exists()
    assert alive.exists() and other.exists()
