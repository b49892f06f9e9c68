"""Twenty ``add`` and ``dues pay`` processes started at once: every one lands, once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from ledgertools import query, query_total

from connect_books.books import load
from connect_books.cli import main

CLI = str(Path(sys.executable).parent / "connect-books")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def test_twenty_writers_at_once_all_land(sample_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    books = folder / "main.beancount"
    _git(folder, "init", "-q")
    _git(folder, "config", "user.name", "会計担当")
    _git(folder, "config", "user.email", "treasurer@example.org")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "sample books")
    before = load(books)
    transactions = len(
        query(before, "SELECT id FROM #entries WHERE type = 'transaction'")
    )

    commands = []
    for n in range(15):
        args = [
            CLI, "add", str(books), "--date", f"2026-12-{n + 1:02d}",
            "--payee", f"郵便局 {n}", "--narration", f"切手 {n}",
            "--posting", f"管理費 通信 {100 + n}", "--posting", "現金", "--yes", "--commit",
        ]  # fmt: skip
        if n < 3:
            voucher = tmp_path / f"receipt-{n}.pdf"
            voucher.write_bytes(f"%PDF voucher {n}\n".encode())
            args += ["--document", str(voucher)]
        commands.append(args)
    commands.append(
        [
            CLI,
            "dues",
            "pay",
            "CS-MACHIDESIGN",
            str(books),
            "--date",
            "2026-12-04",
            "--commit",
        ]
    )
    for member in ("SCC-TOKYO", "SCC-23S", "ACT", "YUYU"):  # 2027年度会費の前受け
        commands.append(
            [CLI, "dues", "pay", member, str(books), "--year", "2027", "--date", "2026-12-05", "--commit"]
        )  # fmt: skip
    assert len(commands) == 20

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    processes = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for c in commands
    ]
    outcomes = [p.communicate(timeout=120) for p in processes]
    for process, (out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, (out + err).decode()

    after = load(books)
    assert not after.errors
    count = len(query(after, "SELECT id FROM #entries WHERE type = 'transaction'"))
    assert count == transactions + 20
    spent = query_total(
        after, "SELECT sum(number) WHERE account ~ '5213' AND date >= 2026-12-01"
    )
    assert spent == sum(100 + n for n in range(15))
    advance = query_total(
        after, "SELECT sum(number) WHERE account ~ '前受会費' AND date = 2026-12-05"
    )
    assert advance == -40000
    assert len(list((folder / "documents").glob("2026-12-0*.receipt-*.pdf"))) == 3
    check = CliRunner().invoke(main, ["check", str(books)])
    assert check.exit_code == 0, check.output
    log = _git(folder, "log", "--format=%s").splitlines()
    assert sum("[connect-books add]" in line for line in log) == 15 + 3  # + vouchers
    assert sum("[connect-books dues pay]" in line for line in log) == 5
    status = _git(folder, "status", "--porcelain").splitlines()
    assert [line for line in status if ".connect-books.lock" not in line] == []
