"""``connect-books add`` by options: what lands, and every bad input refused with the books unchanged."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ledgertools import query, query_total

from connect_books.books import load
from connect_books.cli import main
from connect_books.writer import LOCK_NAME

DAY = "2026-12-03"
GOOD = [
    "--date",
    DAY,
    "--payee",
    "郵便局",
    "--narration",
    "切手",
    "--posting",
    "管理費 通信 840",
    "--posting",
    "現金",
]


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    return folder / "main.beancount"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the books folder (documents included), byte for byte."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != LOCK_NAME
    }


def add(books: Path, *args: str, given: str | None = None) -> Result:
    return CliRunner().invoke(main, ["add", str(books), *args], input=given)


def test_add_by_options_lands_in_the_open_year(books: Path) -> None:
    result = add(books, *GOOD, "--yes")
    assert result.exit_code == 0, result.output
    assert "✓ 書き込みました" in result.output
    assert "2026.beancount" in result.output
    text = (books.parent / "2026.beancount").read_text()
    assert text.endswith(
        '2026-12-03 * "郵便局" "切手"\n'
        "  Expenses:5210-管理費:5213-通信運搬費"
        + " " * 27
        + "840 JPY\n  Assets:1110-現金"
        + " " * 46
        + "-840 JPY\n"
    )
    after = load(books)
    assert not after.errors
    assert (
        query_total(
            after, "SELECT sum(number) WHERE account ~ '5213' AND date = 2026-12-03"
        )
        == 840
    )
    check = CliRunner().invoke(main, ["check", str(books)])
    assert check.exit_code == 0, check.output


def test_add_asks_before_writing_and_no_writes_nothing(books: Path) -> None:
    before = snapshot(books.parent)
    result = add(books, *GOOD, given="\nn\n")  # no voucher, then no
    assert "書き込みますか?" in result.output
    assert "書き込みませんでした" in result.output
    assert snapshot(books.parent) == before
    result = add(books, *GOOD, given="\ny\n")
    assert result.exit_code == 0, result.output
    assert snapshot(books.parent) != before


def test_add_with_member_supporter_and_voucher(books: Path, tmp_path: Path) -> None:
    voucher = tmp_path / "領収書 12月.pdf"
    voucher.write_bytes(b"%PDF-1.4 sample voucher\n")
    result = add(
        books,
        "--date", DAY, "--payee", "有限会社みやさか印刷", "--narration", "チラシ印刷",
        "--posting", "5131 33000", "--posting", "ろうきん",
        "--document", str(voucher), "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    placed = books.parent / "documents" / "2026-12-03.領収書-12月.pdf"
    assert placed.read_bytes() == voucher.read_bytes()
    after = load(books)
    assert not after.errors
    docs = query(after, "SELECT account FROM #documents WHERE date = 2026-12-03")
    assert docs == [("Expenses:5130-広報:5131-印刷製本費",)]
    result = add(
        books,
        "--date", DAY, "--narration", "2026年度会費", "--member", "まちデザイン",
        "--posting", "ろうきん 10000", "--posting", "受取会費", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert 'member: "CS-MACHIDESIGN"' in (books.parent / "2026.beancount").read_text()
    result = add(
        books,
        "--date", DAY, "--narration", "ご寄付", "--supporter", "s0002",
        "--posting", "ろうきん 5000", "--posting", "4210", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not load(books).errors


BAD = [
    pytest.param(["--posting", "管理費 通信 840.5", "--posting", "現金"], "端数", id="fraction"),
    pytest.param(["--posting", "管理費 通信 ８４０", "--posting", "現金"], "全角", id="full-width"),
    pytest.param(["--date", "2026-02-30"], "実在しません", id="impossible-date"),
    pytest.param(["--date", "2031-12-03"], "日より先", id="far-future"),
    pytest.param(["--member", "SCC-TOKIO", "--posting", "ろうきん 10000", "--posting", "受取会費"], "近いID: SCC-TOKYO", id="unknown-member"),
    pytest.param(["--supporter", "S0100"], "サポーター", id="unknown-supporter"),
    pytest.param(["--posting", "Assets:1190-別口座 840", "--posting", "現金"], "open されていません", id="unopened-account"),
    pytest.param(["--posting", "管理費 通信 840", "--posting", "現金 -800"], "借方と貸方が合いません", id="unbalanced"),
    pytest.param(["--posting", "管理費 通信 840", "--posting", "現金 -840", "--posting", "ろうきん"], "0円", id="zero"),
    pytest.param(["--date", "2026-03-15"], "決算済み", id="settled-year"),
    pytest.param(["--narration", "切手\ninclude \"evil.beancount\""], "改行", id="newline"),
    pytest.param(["--narration", 'include "evil.beancount"'], "'include'", id="include"),
    pytest.param(["--payee", 'x" \n2026-12-03 open Assets:9999-X'], "改行", id="payee-injection"),
    pytest.param(["--posting", "会議費 840", "--posting", "現金"], "2件", id="ambiguous-account"),
    pytest.param(["--posting", "通信 840"], "", id="one-posting"),
    pytest.param(["--posting", "管理費 通信 840", "--posting", "ろうきん", "--date", "2026-11-28"], "残高", id="breaks-a-balance"),
]  # fmt: skip


def _with(overrides: list[str]) -> list[str]:
    """GOOD with the options in ``overrides`` replaced (``--posting`` as a group)."""
    out: list[str] = []
    names = set(overrides[::2])
    pairs = list(zip(GOOD[::2], GOOD[1::2], strict=True))
    for name, value in pairs:
        if name not in names:
            out += [name, value]
    return out + overrides


@pytest.mark.parametrize(("overrides", "fragment"), BAD)
def test_bad_input_is_refused_in_japanese_and_changes_nothing(
    books: Path, overrides: list[str], fragment: str
) -> None:
    before = snapshot(books.parent)
    result = add(books, *_with(overrides), "--yes")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("エラー: ") or "\nエラー: " in result.output
    assert fragment in result.output
    assert snapshot(books.parent) == before


def test_commit_records_what_and_which_command(books: Path, tmp_path: Path) -> None:
    repo = books.parent
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        [
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "books",
        ],
    ):
        subprocess.run(["git", "-C", str(repo), *command], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "config", "user.name", "会計担当"], check=True
    )
    subprocess.run(
        ["git", "-C", str(repo), "config", "user.email", "t@example.org"], check=True
    )
    voucher = tmp_path / "receipt.png"
    voucher.write_bytes(b"\x89PNG sample")
    result = add(books, *GOOD, "--document", str(voucher), "--yes", "--commit")
    assert result.exit_code == 0, result.output
    assert "git commit しました" in result.output
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%s", "-n", "2"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert log[1] == (
        'Add 2026-12-03 "郵便局" "切手" (840 JPY) to 2026.beancount [connect-books add]'
    )
    assert log[0].startswith("Add voucher 2026-12-03.receipt.png for 2026-12-03")
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert [line for line in status.splitlines() if LOCK_NAME not in line] == []


def test_commit_outside_a_repository_is_refused_before_writing(
    books: Path, tmp_path: Path
) -> None:
    if (
        subprocess.run(
            ["git", "-C", str(books.parent), "rev-parse"],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    ):
        pytest.skip("the temporary folder lies inside a git repository")
    before = snapshot(books.parent)
    result = add(books, *GOOD, "--yes", "--commit")
    assert result.exit_code == 1
    assert "--commit を外すか" in result.output
    assert snapshot(books.parent) == before
