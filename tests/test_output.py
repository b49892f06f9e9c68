"""Output that cannot harm: no live formula in a CSV, no write over the wrong file."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from connect_books.cli import main
from connect_books.output import OutputRefused, spreadsheet_text, write_file

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_spreadsheet_text_is_never_a_formula(text: str) -> None:
    assert spreadsheet_text(text) == "'" + text
    assert spreadsheet_text("普通の摘要") == "普通の摘要"


def hostile_books(sample_path: Path, tmp_path: Path) -> Path:
    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    journal = tmp_path / "ledger" / "2026.beancount"
    text = journal.read_text(encoding="utf-8")
    for n, payee in enumerate(HOSTILE[:5]):
        quoted = payee.replace('"', "'")
        text += (
            f'\n2026-11-0{n + 1} * "{quoted}" "未払の経費"\n'
            "  Expenses:5210-管理費:5214-事務用品費  100 JPY\n"
            "  Liabilities:2110-未払金  -100 JPY\n"
        )
    journal.write_text(text, encoding="utf-8")
    return tmp_path / "ledger" / "main.beancount"


def test_csv_report_neutralises_ledger_text(sample_path: Path, tmp_path: Path) -> None:
    main_file = hostile_books(sample_path, tmp_path)
    target = tmp_path / "inventory.csv"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "inventory",
            "--year",
            "2026",
            "--format",
            "csv",
            "-o",
            str(target),
            str(main_file),
        ],
    )
    assert result.exit_code == 0, result.output
    cells = [
        c
        for row in csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")))
        for c in row
    ]
    texts = [c for c in cells if c and not c.lstrip("-").isdigit()]
    assert any("HYPERLINK" in c for c in texts)
    assert not [c for c in texts if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [
        c for c in texts if c.startswith("-") and not c[1:].replace(",", "").isdigit()
    ]


def test_o_never_replaces_a_read_only_file(sample_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "kept.csv"
    target.write_text("元のまま", encoding="utf-8")
    target.chmod(0o444)
    result = CliRunner().invoke(
        main,
        [
            "report",
            "dues",
            "--year",
            "2026",
            "--format",
            "csv",
            "-o",
            str(target),
            str(sample_path),
        ],
    )
    assert result.exit_code == 1
    assert "書き込み禁止" in result.output
    assert target.read_text(encoding="utf-8") == "元のまま"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_o_never_turns_a_device_into_a_file(tmp_path: Path) -> None:
    with pytest.raises(OutputRefused, match="普通のファイルではありません"):
        write_file(Path("/dev/null"), b"x")
    assert Path("/dev/null").is_char_device()
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(OutputRefused):
        write_file(folder, b"x")


def test_full_disk_is_a_japanese_refusal_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while the new text is written (a full disk cannot be made here without
    mounting one, so the write itself fails as the kernel would make it fail)."""
    import connect_books.output as output_module

    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    class FullDisk(io.RawIOBase):
        def __init__(self, fd: int, _mode: str = "wb") -> None:
            os.close(fd)

        def write(self, _: object) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(output_module.os, "fdopen", FullDisk)
    with pytest.raises(OutputRefused, match="ディスクがいっぱい"):
        write_file(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv.")]
