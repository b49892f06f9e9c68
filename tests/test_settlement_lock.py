"""The settlement lock holds against a hostile editor of the books (定款第20条・第27条2).

Each case edits a copy of the sample books the way someone might to change a settled
year quietly, and shows that ``connect-books check`` refuses it at the right line, with
exit 1, or that ``close-year`` refuses to record a settlement the articles do not allow.
"""

from __future__ import annotations

import re
import shutil
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


def check(books: Path) -> Result:
    return run("check", str(books))


def settlement_line(books: Path) -> int:
    text = (books.parent / "settlements.beancount").read_text(encoding="utf-8")
    return next(
        n
        for n, line in enumerate(text.split("\n"), 1)
        if 'custom "settlement" 2025' in line
    )


def test_an_entry_in_a_file_of_another_extension_is_locked(books: Path) -> None:
    extra = books.parent / "extra.bean"
    extra.write_text(
        '2025-12-01 * "後から足した" "2025年度の寄付"\n'
        "  Assets:1110-現金  1000 JPY\n"
        "  Income:4210-受取寄附金  -1000 JPY\n",
        encoding="utf-8",
    )
    books.write_text(
        books.read_text(encoding="utf-8") + 'include "extra.bean"\n', encoding="utf-8"
    )
    result = check(books)
    assert result.exit_code == 1
    assert "extra.bean:1: 確定済み (2026-06-20 総会承認) の2025年度の記録が追加" in (
        result.output
    )


def test_deleting_the_settlement_and_its_include_is_caught(books: Path) -> None:
    (books.parent / "settlements.beancount").unlink()
    books.write_text(
        books.read_text(encoding="utf-8").replace(
            'include "settlements.beancount"\n', ""
        ),
        encoding="utf-8",
    )
    result = check(books)
    assert result.exit_code == 1
    assert "main.beancount:0: 2025年度の決算が記録されていません" in result.output
    assert "第20条・第27条2" in result.output


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("2026-06-20 custom", "2026-06-13 custom"),  # approval date
        ('"総会" 6579843', '"運営委員会" 6579843'),  # approving body
        ("audited: 2026-05-23", "audited: 2026-05-30"),  # audit date
    ],
)
def test_rewriting_the_approval_is_caught(books: Path, old: str, new: str) -> None:
    settlements = books.parent / "settlements.beancount"
    text = settlements.read_text(encoding="utf-8")
    assert old in text
    settlements.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = check(books)
    assert result.exit_code == 1
    assert (
        f"settlements.beancount:{settlement_line(books)}: 2025年度の決算の記録"
        in result.output
    )
    assert "fingerprint と合いません" in result.output


@pytest.fixture
def unsettled(books: Path) -> Path:
    """The copy with 2025年度's settlement removed (the file stays, empty)."""
    settlements = books.parent / "settlements.beancount"
    settlements.write_text("", encoding="utf-8")
    return books


def close(books: Path, *args: str) -> Result:
    return run("close-year", "2025", str(books), *args)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["--date", "2026-06-20", "--audited", "2026-05-23", "--body", "運営委員会"],
            "決算を承認できるのは総会だけです",
        ),
        (
            ["--date", "2026-07-15", "--audited", "2026-05-23"],
            "期末から3か月以内 (2026-06-30 まで)",
        ),
        (["--date", "2026-06-20"], "監査日を --audited で指定してください"),
    ],
)
def test_close_year_refuses_what_the_articles_do_not_allow(
    unsettled: Path, args: list[str], fragment: str
) -> None:
    before = unsettled.parent.joinpath("settlements.beancount").read_bytes()
    result = close(unsettled, *args)
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 定款どおりでない決算は記録しません")
    assert fragment in result.output and "--reason" in result.output
    assert unsettled.parent.joinpath("settlements.beancount").read_bytes() == before


def test_a_recorded_reason_lets_a_late_approval_through_and_is_sealed(
    unsettled: Path,
) -> None:
    reason = "台風で総会を延期したため (2026-06-27 運営委員会決定)"
    result = close(
        unsettled, "--date", "2026-07-15", "--audited", "2026-05-23", "--reason", reason
    )
    assert result.exit_code == 0, result.output
    settlements = unsettled.parent / "settlements.beancount"
    text = settlements.read_text(encoding="utf-8")
    assert f'reason: "{reason}"' in text
    assert check(unsettled).exit_code == 0
    settlements.write_text(text.replace(reason, "理由なし"), encoding="utf-8")
    assert "fingerprint と合いません" in check(unsettled).output


@pytest.mark.parametrize("blank", [" ", "\u3000", "  \u3000 "])
def test_a_blank_reason_is_no_reason(unsettled: Path, blank: str) -> None:
    result = close(unsettled, "--date", "2026-07-15", "--reason", blank)
    assert result.exit_code == 1
    assert "定款どおりでない決算は記録しません" in result.output


def test_verify_confirms_the_printed_fingerprint(books: Path) -> None:
    text = (books.parent / "settlements.beancount").read_text(encoding="utf-8")
    match = re.search(r'fingerprint: "([0-9a-f]{64})"', text)
    assert match
    printed = match.group(1)
    spaced = " ".join(printed[i : i + 8] for i in range(0, 64, 8)).upper()
    ok = run("verify", "2025", spaced, str(books))
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("✓ 2025年度の決算")
    assert run("verify", "2025", printed[:16], str(books)).exit_code == 0
    # a settled entry changed in the books: the paper no longer agrees
    journal = books.parent / "2025.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8").replace("10000 JPY", "1000 JPY", 1),
        encoding="utf-8",
    )
    changed = run("verify", "2025", printed, str(books))
    assert changed.exit_code == 1
    assert changed.output.startswith("✗ 2025年度の決算")
    assert "承認後に変わっています" in changed.output


def printed_fingerprint(books: Path) -> str:
    text = (books.parent / "settlements.beancount").read_text(encoding="utf-8")
    match = re.search(r'fingerprint: "([0-9a-f]{64})"', text)
    assert match
    return match.group(1)


def test_verify_says_no_when_the_settlement_record_is_damaged(books: Path) -> None:
    """The recorded list split under another key: the seal over the books' own records
    still matches the paper, but the settlement record is not what close-year wrote."""
    printed = printed_fingerprint(books)
    settlements = books.parent / "settlements.beancount"
    text = settlements.read_text(encoding="utf-8")
    assert '  entries: "' in text
    settlements.write_text(
        text.replace('  entries: "', '  entries: 5\n  entries-2: "', 1),
        encoding="utf-8",
    )
    assert check(books).exit_code == 1
    result = run("verify", "2025", printed, str(books))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("✗ 2025年度の決算")
    assert "帳簿は決算の確認でエラーになります" in result.output
    assert "fingerprint と合いません" in result.output
    assert "帳簿は承認されたとおりです" not in result.output


def test_verify_says_no_when_the_books_cannot_be_read_whole(books: Path) -> None:
    printed = printed_fingerprint(books)
    journal = books.parent / "2025.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + RECLASSIFIED.format(meta='  filename: "<x>"\n'),
        encoding="utf-8",
    )
    result = run("verify", "2025", printed, str(books))
    assert result.exit_code == 1, result.output
    assert "メタデータの名前 filename: は使えません" in result.output


def test_verify_refuses_what_it_cannot_read(books: Path) -> None:
    result = run("verify", "2025", "xyz", str(books))
    assert result.exit_code == 1
    assert "指紋 'xyz' が読めません" in result.output


def report_texts(path: Path) -> list[str]:
    import openpyxl

    sheet = openpyxl.load_workbook(path)["監査報告書"]
    return [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]


def test_the_audit_pack_prints_the_fingerprint_that_verify_accepts(
    books: Path, tmp_path: Path
) -> None:
    settled = tmp_path / "2025.xlsx"
    assert (
        run("audit-pack", "--year", "2025", "-o", str(settled), str(books)).exit_code
        == 0
    )
    texts = report_texts(settled)
    printed = texts[texts.index("決算の指紋 (fingerprint)") + 1]
    assert f'fingerprint: "{printed}"' in (
        books.parent / "settlements.beancount"
    ).read_text(encoding="utf-8")
    assert run("verify", "2025", printed, str(books)).exit_code == 0
    # before its settlement, a year's pack prints the fingerprint of the records audited
    unsettled = tmp_path / "2026.xlsx"
    result = run("audit-pack", "--year", "2026", "-o", str(unsettled), str(books))
    assert result.exit_code == 0, result.output
    texts = report_texts(unsettled)
    audited = texts[texts.index("監査した記録の指紋") + 1]
    ok = run("verify", "2026", audited, str(books))
    assert ok.exit_code == 0 and "監査したときのまま" in ok.output
    journal = books.parent / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8").replace("10000 JPY", "1000 JPY", 1),
        encoding="utf-8",
    )
    assert run("verify", "2026", audited, str(books)).exit_code == 1


RECLASSIFIED = """
2025-07-20 * "誰か" "決算済みの年度に後から足した仕訳"
{meta}  Expenses:5110-まちづくり支援:5111-委託費     100000 JPY
  Expenses:5210-管理費:5214-事務用品費        -100000 JPY
"""


@pytest.mark.parametrize(
    ("meta", "key"),
    [
        ('  filename: "<x>"\n', "filename"),
        ("  filename: 5\n", "filename"),
        ("  lineno: 3\n", "lineno"),
        (
            '  Expenses:5110-まちづくり支援:5111-委託費  0 JPY\n    filename: "<x>"\n',
            "filename",
        ),
    ],
)
def test_an_entry_cannot_pose_as_another_files_by_its_metadata(
    books: Path, meta: str, key: str
) -> None:
    journal = books.parent / "2025.beancount"
    text = journal.read_text(encoding="utf-8") + RECLASSIFIED.format(meta=meta)
    journal.write_text(text, encoding="utf-8")
    line = next(
        n for n, t in enumerate(text.split("\n"), 1) if t.strip().startswith(key)
    )
    result = check(books)
    assert result.exit_code == 1
    assert f"2025.beancount:{line}: メタデータの名前 {key}: は使えません" in (
        result.output
    )
    assert run("verify", "2025", "0" * 64, str(books)).exit_code == 1


def test_pushmeta_filename_is_refused(books: Path) -> None:
    journal = books.parent / "2025.beancount"
    text = journal.read_text(encoding="utf-8")
    journal.write_text(
        f'{text}\npushmeta filename: "<plugin>"\n'
        + RECLASSIFIED.format(meta="")
        + "popmeta filename:\n",
        encoding="utf-8",
    )
    result = check(books)
    assert result.exit_code == 1
    line = text.count("\n") + 2
    assert f"2025.beancount:{line}: メタデータの名前 filename: は使えません" in (
        result.output
    )


def test_a_warm_check_sees_an_entry_posing_as_a_settled_files(
    books: Path, tmp_path: Path
) -> None:
    """The memo of settled years (in the cache) groups entries by file: an entry of the
    open year's journal claiming to be the settled year's file is refused, warm too."""
    import os
    import subprocess

    from favatools import connect_books_command

    env = {
        **os.environ,
        "CONNECT_BOOKS_CACHE": str(tmp_path / "cache"),
        "CONNECT_BOOKS_CACHE_WRITE": "inline",
    }
    command = [connect_books_command(), "check", str(books)]
    first = subprocess.run(command, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    journal = books.parent / "2026.beancount"
    settled = books.parent / "2025.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + '\n2026-03-31 * "架空の業者" "2026年の仕訳帳に書いた 2025年度の未払金"\n'
        f'  filename: "{settled}"\n'
        "  Expenses:5110-まちづくり支援:5111-委託費     300000 JPY\n"
        "  Liabilities:2110-未払金                     -300000 JPY\n",
        encoding="utf-8",
    )
    for _ in range(2):
        again = subprocess.run(command, env=env, capture_output=True, text=True)
        assert again.returncode == 1, again.stdout
        assert "メタデータの名前 filename: は使えません" in again.stdout + again.stderr


def test_a_copy_of_a_settled_entry_names_both_places(books: Path) -> None:
    """Two identical entries, one recorded: which one is the copy the lock cannot tell,
    so the error names both (following it must not delete the original alone)."""
    settled = books.parent / "2025.beancount"
    original = next(
        n
        for n, line in enumerate(settled.read_text(encoding="utf-8").split("\n"), 1)
        if line.startswith("2026-01-01 balance Assets:1110-現金")
    )
    journal = books.parent / "2026.beancount"
    text = journal.read_text(encoding="utf-8")
    journal.write_text(
        text + "\n2026-01-01 balance Assets:1110-現金 137420 JPY\n", encoding="utf-8"
    )
    copy = text.count("\n") + 2
    result = check(books)
    assert result.exit_code == 1
    places = {f"2025.beancount:{original}", f"2026.beancount:{copy}"}
    line = next(x for x in result.output.split("\n") if "一件多くなっています" in x)
    assert all(place in line for place in places), line


@pytest.mark.parametrize("attributes", ["", "settlements.beancount -diff\n"])
def test_a_deleted_settlement_is_not_recorded_again_in_silence(
    books: Path, monkeypatch: pytest.MonkeyPatch, attributes: str
) -> None:
    """Books in git: the settlement deleted, a settled entry changed, the year closed
    again with the first approval's date. The history holds the first settlement (read
    as text even when the repository's attributes say the file has no diff)."""
    import subprocess

    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "会計担当")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "t@example.org")
    if attributes:
        (books.parent / ".gitattributes").write_text(attributes)
    git = ["git", "-C", str(books.parent)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Books"], check=True)
    first = printed_fingerprint(books)
    (books.parent / "settlements.beancount").write_text("; 決算\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-q", "-am", "Remove"], check=True)
    journal = books.parent / "2025.beancount"
    original = journal.read_text(encoding="utf-8")
    changed = original.replace(
        "Expenses:5210-管理費:5214-事務用品費 ",
        "Expenses:5210-管理費:5219-雑費     ",
        1,
    )
    assert changed != original
    journal.write_text(changed, encoding="utf-8")
    close = ("close-year", "2025", str(books), "--date", "2026-06-20")
    again = run(*close, "--audited", "2026-05-23")
    assert again.exit_code == 1
    assert "2025年度の決算は前にも記録されています" in again.output
    assert f"fingerprint {first[:16]}" in again.output
    # the reason of a real re-approval lets it through, and is sealed in the record
    reason = "臨時総会で訂正後の決算を承認し直した"
    assert run(*close, "--audited", "2026-05-23", "--reason", reason).exit_code == 0
    assert reason in (books.parent / "settlements.beancount").read_text(
        encoding="utf-8"
    )
    # the same records as before: the same settlement, recorded again as it was
    (books.parent / "settlements.beancount").write_text("; 決算\n", encoding="utf-8")
    journal.write_text(original, encoding="utf-8")
    assert run(*close, "--audited", "2026-05-23").exit_code == 0
    assert printed_fingerprint(books) == first
