"""``connect-books add`` interactively: the real process driven in tmux (and in a bare pty).

The treasurer types into the Japanese prompts; wrong answers are explained and asked
again; the entry is shown, confirmed and written. tmux comes from Debian
(``apt-get install -y tmux``); where it is missing, the same dialogue runs in a pty.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from ledgertools import query_total

from connect_books.books import load

CLI = str(Path(sys.executable).parent / "connect-books")
TIMEOUT = 20.0


class Terminal(Protocol):
    def expect(self, text: str) -> str: ...
    def send(self, line: str) -> None: ...


class Tmux:
    """A detached tmux session on a private server, read with capture-pane."""

    def __init__(self, command: str, cwd: Path) -> None:
        self.server = f"cb-{uuid.uuid4().hex[:8]}"
        self.tmux = shutil.which("tmux") or "tmux"
        self._run(
            "new-session", "-d", "-s", "t", "-x", "160", "-y", "60", "-c", str(cwd),
            f"{command}; echo EXIT=$?; sleep 60",
        )  # fmt: skip

    def _run(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-L", self.server, *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-J", "-S", "-200", "-t", "t")

    def expect(self, text: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear:\n{self.screen()}")

    def send(self, line: str) -> None:
        if line:
            self._run("send-keys", "-t", "t", "-l", line)
        self._run("send-keys", "-t", "t", "Enter")

    def close(self) -> None:
        subprocess.run(
            [self.tmux, "-L", self.server, "kill-server"],
            capture_output=True,
            check=False,
        )


class Pty:
    """The process on a pseudo-terminal of its own."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.chdir(cwd)
            os.execv(command[0], command)
        self.seen = ""

    def expect(self, text: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} did not appear:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"{text!r} did not appear:\n{self.seen}")
                self.seen += chunk.decode("utf-8", "replace")
        return self.seen

    def send(self, line: str) -> None:
        os.write(self.fd, (line + "\r").encode())

    def close(self) -> None:
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    return folder / "main.beancount"


@pytest.fixture(params=["tmux", "pty"])
def terminal(request: pytest.FixtureRequest, books: Path) -> Iterator[Terminal]:
    if request.param == "tmux":
        if shutil.which("tmux") is None:
            pytest.skip("tmux がありません (apt-get install -y tmux)")
        session: Tmux | Pty = Tmux(f"{CLI} add {books}", books.parent)
    else:
        session = Pty([CLI, "add", str(books)], books.parent)
    try:
        yield session
    finally:
        session.close()


def test_the_treasurer_enters_a_payment_at_the_prompts(
    terminal: Terminal, books: Path
) -> None:
    journal = books.parent / "2026.beancount"
    before = journal.read_bytes()
    terminal.expect("日付 [")
    terminal.send("2026-02-30")
    terminal.expect("実在しません")
    terminal.send("2026-12-03")
    terminal.expect("取引先 (なければ空):")
    terminal.send("郵便局")
    terminal.expect("摘要:")
    terminal.send("切手\u3000include")  # a directive word: explained, asked again
    terminal.expect("'include' という語")
    terminal.send("切手 12月")
    terminal.expect("科目1 (コードか名前の一部):")
    terminal.send("会議費")
    terminal.expect("当てはまる科目が2件")
    terminal.send("管理費 通信")
    terminal.expect("→ Expenses:5210-管理費:5213-通信運搬費")
    terminal.expect("金額1")
    terminal.send("８４０")
    terminal.expect("全角")
    terminal.send("840")
    terminal.expect("科目2")
    terminal.send("現金")
    terminal.expect("空なら残りの ▲840円")
    terminal.send("")
    terminal.expect("証憑のファイル (なければ空):")
    terminal.send("")
    screen = terminal.expect("書き込みますか? [y/N]:")
    assert '2026-12-03 * "郵便局" "切手 12月"' in screen
    assert journal.read_bytes() == before  # nothing until confirmed
    terminal.send("y")
    terminal.expect("✓ 書き込みました")
    after = load(books)
    assert not after.errors
    total = query_total(
        after, "SELECT sum(number) WHERE account ~ '1110-現金' AND date = 2026-12-03"
    )
    assert total == -840


def test_a_member_is_asked_for_when_dues_are_entered(
    terminal: Terminal, books: Path
) -> None:
    terminal.expect("日付 [")
    terminal.send("2026-12-03")
    terminal.expect("取引先 (なければ空):")
    terminal.send("")
    terminal.expect("摘要:")
    terminal.send("2026年度会費")
    terminal.expect("科目1")
    terminal.send("1120")
    terminal.expect("金額1")
    terminal.send("10,000")
    terminal.expect("科目2")
    terminal.send("受取会費")
    terminal.expect("金額2")
    terminal.send("")
    terminal.expect("会員 (会員ID か団体名の一部):")
    terminal.send("生活クラブ")
    terminal.expect("5件あります")
    terminal.send("まちデザイン")
    terminal.expect("→ CS-MACHIDESIGN")
    screen = terminal.expect("書き込みますか?")
    assert 'member: "CS-MACHIDESIGN"' in screen
    terminal.send("y")
    terminal.expect("✓ 書き込みました")
    assert not load(books).errors
