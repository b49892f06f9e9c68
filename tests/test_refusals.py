"""Every refusal is a Japanese message with exit 1 (or 2 for usage), never a traceback.

The cases an outside tester found refused, but with English parser text, raw exceptions or
tracebacks. Each edits a copy of the sample books (or calls a command badly) and expects
the Japanese reason, at the file and line where there is one, with the books unchanged.
"""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from connect_books.cli import main


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    return tmp_path / "ledger" / "main.beancount"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.beancount")}


def add(books: Path, text: str) -> int:
    """Append ``text`` to the 2026 journal; the line number of its first line."""
    journal = books.parent / "2026.beancount"
    old = journal.read_text(encoding="utf-8")
    journal.write_text(old + "\n" + text, encoding="utf-8")
    return old.count("\n") + 2


def refused_at(books: Path, line: int, fragment: str) -> Result:
    result = run("check", str(books))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"2026.beancount:{line}: {fragment}" in result.output, result.output
    return result


PAID = '2026-11-20 * "文具店" "{}"\n  Expenses:5210-管理費:5214-事務用品費  {} JPY\n  {}  {} JPY\n'


def test_full_width_digits(books: Path) -> None:
    line = add(
        books, PAID.format("全角", "１０００", "Liabilities:2110-未払金", "-1000")
    )
    refused_at(books, line + 1, "全角の数字や記号 '１０００' は読めません")


def test_a_date_that_does_not_exist(books: Path) -> None:
    text = PAID.format("日付", "1000", "Liabilities:2110-未払金", "-1000")
    line = add(books, text.replace("2026-11-20", "2026-02-30"))
    refused_at(books, line, "存在しない日付です")


def test_an_unknown_account(books: Path) -> None:
    line = add(books, PAID.format("科目", "1000", "Liabilities:2999-ない科目", "-1000"))
    refused_at(books, line, "科目 Liabilities:2999-ない科目 は開かれていません")


def test_an_unbalanced_entry(books: Path) -> None:
    line = add(books, PAID.format("貸借", "1000", "Liabilities:2110-未払金", "-999"))
    refused_at(books, line, "借方と貸方が一致しません (差額 1 JPY)")


def test_a_failed_balance(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    text = journal.read_text(encoding="utf-8")
    old = "2026-12-01 balance Assets:1110-現金"
    assert old in text
    start = text.index(old)
    end = text.index("\n", start)
    line = text.count("\n", 0, start) + 1
    journal.write_text(text[:start] + old + "  1 JPY" + text[end:], encoding="utf-8")
    refused_at(books, line, "残高の確認が合いません: Assets:1110-現金 は 1 JPY のはず")


def test_a_metadata_field_written_twice(books: Path) -> None:
    text = PAID.format("二度", "1000", "Liabilities:2110-未払金", "-1000")
    text = text.replace("\n", '\n  memo: "a"\n  memo: "b"\n', 1)
    line = add(books, text)
    refused_at(books, line, "同じ記録にメタデータ memo: が二度書かれています")


def test_an_unknown_option(books: Path) -> None:
    books.write_text(
        'option "no_such_option" "1"\n' + books.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = run("check", str(books))
    assert result.exit_code == 1
    assert "option 'no_such_option' は Beancount にありません" in result.output


def test_an_unused_pad(books: Path) -> None:
    opening = books.parent / "opening.beancount"
    opening.write_text(
        opening.read_text(encoding="utf-8")
        + "\n2025-06-28 pad Assets:1110-現金 Equity:3010-引継正味財産\n",
        encoding="utf-8",
    )
    result = run("check", str(books))
    assert result.exit_code == 1
    assert "pad のあとに balance がなく" in result.output, result.output


def test_include_of_a_system_file_is_refused_without_printing_it(books: Path) -> None:
    books.write_text(
        books.read_text(encoding="utf-8") + 'include "/etc/passwd"\n', encoding="utf-8"
    )
    result = run("check", str(books))
    assert result.exit_code == 1
    assert "root:" not in result.output
    assert "帳簿のフォルダ" in result.output and "外にあります" in result.output
    assert result.output.count("\n") <= 3


def test_fifty_megabytes_of_binary_give_one_short_error(books: Path) -> None:
    (books.parent / "2026.beancount").write_bytes(bytes(range(256)) * (50 * 4096))
    result = run("check", str(books))
    assert result.exit_code == 1
    assert len(result.output) < 2000
    assert "テキストのファイルではないようです" in result.output


def test_check_on_a_folder_uses_its_main_file(books: Path) -> None:
    result = run("check", str(books.parent))
    assert result.exit_code == 0, result.output
    empty = books.parent.parent / "empty"
    empty.mkdir()
    result = run("check", str(empty))
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 帳簿ファイル")


def test_a_folder_where_the_lock_cannot_be_made_refuses_close_year(
    books: Path,
) -> None:
    # as root, permissions do not stop writes; a folder in place of the lock file does
    settlements = books.parent / "settlements.beancount"
    settlements.write_text("", encoding="utf-8")
    lock = books.parent / ".connect-books.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    before = snapshot(books.parent)
    result = run(
        "close-year",
        "2025",
        str(books),
        "--date",
        "2026-06-20",
        "--audited",
        "2026-05-23",
    )
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 帳簿のフォルダ")
    assert "書き込めません" in result.output
    assert snapshot(books.parent) == before


def test_a_year_far_ahead_is_refused(books: Path) -> None:
    result = run("close-year", "9999", str(books))
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 9999年度の記録は帳簿にありません")
    result = run("close-year", "2100", str(books))
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 2100年度はまだ終わっていません")


@pytest.mark.parametrize("port", ["99999", "0", "abc"])
def test_a_port_out_of_range(books: Path, port: str) -> None:
    result = run("serve", str(books), "--port", port)
    assert result.exit_code == 2
    assert "エラー: '--port' の値が正しくありません" in result.output


def test_a_port_in_use(books: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", str(books), "--port", str(port))
    assert result.exit_code == 1
    assert f"127.0.0.1:{port} で待ち受けられません" in result.output


def test_empty_books_are_refused_by_every_command(books: Path, tmp_path: Path) -> None:
    books.write_text("", encoding="utf-8")
    for name in list(books.parent.glob("*.beancount")):
        if name != books:
            name.unlink()
    before = snapshot(books.parent)
    assert run("check", str(books)).exit_code == 1
    pack = run(
        "audit-pack", "--year", "2025", "-o", str(tmp_path / "a.xlsx"), str(books)
    )
    assert pack.exit_code == 1 and not (tmp_path / "a.xlsx").exists()
    report = run("report", "balance-sheet", "--year", "2025", str(books))
    assert report.exit_code == 1 and "エラー:" in report.output
    closing = run(
        "close-year",
        "2025",
        str(books),
        "--date",
        "2026-06-20",
        "--audited",
        "2026-05-23",
    )
    assert closing.exit_code == 1
    assert snapshot(books.parent) == before  # no bogus settlement of 0 JPY


def test_a_document_link_retargeted_outside_is_caught_on_the_next_check(
    books: Path,
) -> None:
    documents = books.parent / "documents"
    target = documents / "receipt.pdf"
    target.write_bytes(b"%PDF-1.4\n%%EOF\n")
    link = documents / "linked.pdf"
    link.symlink_to(target)
    line = add(books, f'2026-11-20 document Assets:1110-現金 "{link}"\n')
    assert run("check", str(books)).exit_code == 0
    link.unlink()
    link.symlink_to("/etc/passwd")  # retargeted after a clean check
    refused_at(books, line, f"証憑のファイル {link} は証憑フォルダ (documents/) の外")


def test_at_most_twenty_errors_of_a_file_are_shown(books: Path) -> None:
    bad = "".join(
        PAID.format(f"誤り{n}", "1000", "Liabilities:2999-ない科目", "-1000") + "\n"
        for n in range(30)
    )
    add(books, bad)
    result = run("check", str(books))
    assert result.exit_code == 1
    assert len(re.findall(r"2026\.beancount:\d+:", result.output)) == 20
    assert (
        "2026.beancount: ほかに10件のエラーがあります (最初の20件を表示しました)。"
        in (result.output)
    )
    assert "エラー: 帳簿に30件のエラーがあります。" in result.output
