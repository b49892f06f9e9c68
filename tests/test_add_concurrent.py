"""Twenty writers at once: every one lands, once.

Twenty ``add`` and ``dues pay`` processes; then processes and 記帳 form submissions to a
served Fava, mixed.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from click.testing import CliRunner
from favatools import http_get, serving, slug_of
from ledgertools import query, query_total

from connect_books.books import load
from connect_books.cli import main

CLI = str(Path(sys.executable).parent / "connect-books")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _books_in_git(sample_path: Path, tmp_path: Path) -> Path:
    """A copy of the sample books in a git repository of its own (for ``--commit``)."""
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    _git(folder, "init", "-q")
    _git(folder, "config", "user.name", "会計担当")
    _git(folder, "config", "user.email", "treasurer@example.org")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "sample books")
    return folder / "main.beancount"


def test_twenty_writers_at_once_all_land(sample_path: Path, tmp_path: Path) -> None:
    books = _books_in_git(sample_path, tmp_path)
    folder = books.parent
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


def _post(url: str, fields: dict[str, str]) -> tuple[int, str]:
    """POST a form (urlencoded, as a browser without a file does); (status, Location)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "", parts.port, timeout=120
    )
    body = urlencode(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", parts.path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("Location") or ""


def test_processes_and_form_submissions_at_once_all_land(
    sample_path: Path, tmp_path: Path
) -> None:
    """Twelve ``add``/``dues pay`` processes and eight 記帳 form submissions to a served
    Fava, all started at once: every one lands, once, and each is committed."""
    books = _books_in_git(sample_path, tmp_path)
    folder = books.parent
    before = load(books)
    transactions = len(
        query(before, "SELECT id FROM #entries WHERE type = 'transaction'")
    )
    commands = [
        [
            CLI, "add", str(books), "--date", f"2026-12-{n + 1:02d}",
            "--payee", f"郵便局 {n}", "--narration", f"切手 {n}",
            "--posting", f"管理費 通信 {100 + n}", "--posting", "現金", "--yes", "--commit",
        ]
        for n in range(10)
    ]  # fmt: skip
    for member in ("SCC-TOKYO", "ACT"):  # 2027年度会費の前受け
        commands.append(
            [CLI, "dues", "pay", member, str(books), "--year", "2027", "--date", "2026-12-05", "--commit"]
        )  # fmt: skip
    forms = [
        {
            "form": "expense", "date": f"2026-12-{n + 11:02d}",
            "line": "Expenses:5210-管理費:5213-通信運搬費", "amount": str(200 + n),
            "paid_from": "Assets:1110-現金", "payee": f"宅配便 {n}",
            "narration": f"発送 {n}", "commit": "1",
        }
        for n in range(6)
    ]  # fmt: skip
    forms += [
        {"form": "donation", "date": "2026-12-06", "supporter": supporter,
         "amount": "3000", "fund": "", "commit": "1"}
        for supporter in ("S0001", "S0002")
    ]  # fmt: skip
    assert len(commands) + len(forms) == 20

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with serving(books) as url:
        connection = http.client.HTTPConnection(
            urlsplit(url).hostname or "", urlsplit(url).port, timeout=60
        )
        connection.request("GET", "/")
        slug = slug_of(connection.getresponse().getheader("Location") or "")
        page = f"{url}/{slug}/extension/Kicho/"
        _, html = http_get(page)
        token = re.search(rb'name="token" value="([^"]+)"', html)
        assert token
        fields = [{**f, "token": token.group(1).decode()} for f in forms]
        with ThreadPoolExecutor(len(fields)) as pool:
            processes = [
                subprocess.Popen(
                    c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
                )
                for c in commands
            ]
            posted = list(pool.map(lambda f: _post(page + "write", f), fields))
            outcomes = [p.communicate(timeout=180) for p in processes]
    for process, (out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, (out + err).decode()
    for status, location in posted:
        assert status == 303, status
        assert "written=2026.beancount" in unquote(location)

    after = load(books)
    assert not after.errors
    count = len(query(after, "SELECT id FROM #entries WHERE type = 'transaction'"))
    assert count == transactions + 20
    spent = query_total(
        after, "SELECT sum(number) WHERE account ~ '5213' AND date >= 2026-12-01"
    )
    assert spent == sum(100 + n for n in range(10)) + sum(200 + n for n in range(6))
    check = CliRunner().invoke(main, ["check", str(books)])
    assert check.exit_code == 0, check.output
    log = _git(folder, "log", "--format=%s").splitlines()
    assert sum("[Fava 記帳]" in line for line in log) == 8
    assert sum("[connect-books add]" in line for line in log) == 10
    status_lines = _git(folder, "status", "--porcelain").splitlines()
    assert [line for line in status_lines if ".connect-books.lock" not in line] == []
