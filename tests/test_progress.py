"""Progress lines: on a terminal, for long work only, and never on standard output."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connect_books import progress

BIN = Path(sys.executable).parent


def test_long_work_shows_each_step_that_lasts() -> None:
    out = io.StringIO()
    with progress.operation("運営委員会資料", stream=out, delay=0.05, force=True):
        with progress.phase("帳簿を読んでいます"):
            time.sleep(0.6)
        with progress.phase("一瞬の手順"):
            pass
        with progress.phase("資料を作っています"):
            time.sleep(0.6)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("… 運営委員会資料: 帳簿を読んでいます (")
    assert any(
        line.startswith("… 運営委員会資料: 資料を作っています (") for line in lines
    )
    assert not any("一瞬" in line for line in lines)  # too short for a line of its own
    assert all(line.endswith("秒)") for line in lines)


def test_short_work_shows_nothing() -> None:
    out = io.StringIO()
    operation = progress.operation("帳簿の検証", stream=out, delay=1.0, force=True)
    with operation, progress.phase("帳簿を読んでいます"):
        time.sleep(0.05)
    assert out.getvalue() == ""


def test_no_terminal_no_lines() -> None:
    out = io.StringIO()
    operation = progress.operation("帳簿の検証", stream=out, delay=0.0)
    with operation, progress.phase("帳簿を読んでいます"):
        time.sleep(0.3)
    assert out.getvalue() == ""


def read_all(fd: int, process: subprocess.Popen[bytes]) -> bytes:
    data = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        elif process.poll() is not None:
            break
    return data


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate

    return generate(1000, tmp_path_factory.mktemp("progress") / "books")


def test_a_command_on_a_terminal_says_what_it_does(generated: Path) -> None:
    env = {
        **os.environ,
        progress.DELAY_ENV: "0",
        "CONNECT_BOOKS_CACHE": "off",
    }
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [str(BIN / "connect-books"), "check", str(generated)],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    shown = read_all(master, process).decode("utf-8")
    out, _ = process.communicate(timeout=120)
    os.close(master)
    assert process.returncode == 0
    assert "✓ エラーはありません" in out.decode("utf-8")
    assert "… 帳簿の検証: " in shown
    assert "… " not in out.decode("utf-8")


def test_a_script_gets_no_progress(generated: Path) -> None:
    env = {**os.environ, progress.DELAY_ENV: "0", "CONNECT_BOOKS_CACHE": "off"}
    result = subprocess.run(
        [str(BIN / "connect-books"), "check", str(generated)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0
    assert result.stderr == ""
