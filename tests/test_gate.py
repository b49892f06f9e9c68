"""The books' files as one closed set of UTF-8 text in the ledger folder, checked first."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from connect_books import gate, trusted

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A copy of the sample books; returns its main file."""
    shutil.copytree(ROOT / "ledger", tmp_path / "ledger")
    return tmp_path / "ledger" / "main.beancount"


def messages_at(main: Path) -> list[tuple[str, int, str]]:
    _, errors, _ = trusted.load(main)
    return [
        (Path(e.source["filename"]).name, e.source["lineno"], e.message) for e in errors
    ]


def append(path: Path, text: str) -> int:
    """Append ``text`` to ``path``; the line number of its first line."""
    before = path.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def test_sample_books_pass_the_gate(ledger: Path) -> None:
    assert messages_at(ledger) == []


def test_include_outside_the_folder_is_refused_unread(ledger: Path) -> None:
    line = append(ledger, 'include "/etc/passwd"\n')
    found = messages_at(ledger)
    assert len(found) == 1
    name, lineno, message = found[0]
    assert (name, lineno) == ("main.beancount", line)
    assert "帳簿のフォルダ" in message and "外" in message


def test_include_through_a_symlink_out_of_the_folder(
    ledger: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.beancount"
    outside.write_text("", encoding="utf-8")
    (ledger.parent / "link.beancount").symlink_to(outside)
    line = append(ledger, 'include "link.beancount"\n')
    assert any(
        lineno == line and "外" in message for _, lineno, message in messages_at(ledger)
    )


def test_a_file_nobody_includes_is_an_error(ledger: Path) -> None:
    (ledger.parent / "extra.beancount").write_text(
        '2025-07-01 * "x"\n  Assets:1110-現金  1 JPY\n  Income:4510-受取利息\n',
        encoding="utf-8",
    )
    found = messages_at(ledger)
    assert [(n, line) for n, line, _ in found] == [("extra.beancount", 1)]
    assert "include されていません" in found[0][2]


def test_a_missing_included_file(ledger: Path) -> None:
    line = append(ledger, 'include "nothing.beancount"\n')
    found = messages_at(ledger)
    assert [(n, lineno) for n, lineno, _ in found] == [("main.beancount", line)]
    assert "見つかりません" in found[0][2]


def test_glob_include_is_refused(ledger: Path) -> None:
    line = append(ledger, 'include "*.beancount"\n')
    found = messages_at(ledger)
    assert [(n, lineno) for n, lineno, _ in found] == [("main.beancount", line)]
    assert "ワイルドカード" in found[0][2]


def test_bom_is_named_with_the_fix(ledger: Path) -> None:
    year = ledger.parent / "2026.beancount"
    year.write_bytes(b"\xef\xbb\xbf" + year.read_bytes())
    found = messages_at(ledger)
    assert [(n, lineno) for n, lineno, _ in found] == [("2026.beancount", 1)]
    assert "BOM" in found[0][2] and "保存し直して" in found[0][2]


def test_cp932_file_is_named_with_the_fix(ledger: Path) -> None:
    year = ledger.parent / "2026.beancount"
    year.write_bytes(year.read_text(encoding="utf-8").encode("cp932", "replace"))
    found = messages_at(ledger)
    assert len(found) == 1 and found[0][0] == "2026.beancount"
    assert "Shift_JIS" in found[0][2] and "UTF-8" in found[0][2]


def test_binary_gives_one_error_not_thousands(ledger: Path) -> None:
    year = ledger.parent / "2026.beancount"
    year.write_bytes(bytes(range(256)) * 4000)
    found = messages_at(ledger)
    assert len(found) == 1
    assert "テキストのファイルではない" in found[0][2]


@pytest.mark.parametrize(
    "char", ["\x00", "\x1b", "\u202e", "\u2066", "\x7f", "\u200f", "\u2028"]
)
def test_control_and_bidi_characters_are_refused(ledger: Path, char: str) -> None:
    line = append(
        ledger.parent / "2026.beancount",
        f'2026-11-20 * "取引先" "摘要{char}です"\n'
        "  Assets:1110-現金  -100 JPY\n"
        "  Expenses:5210-管理費:5214-事務用品費  100 JPY\n",
    )
    found = messages_at(ledger)
    assert [(n, lineno) for n, lineno, _ in found] == [("2026.beancount", line)]
    assert "制御文字" in found[0][2]


def test_plugin_and_option_lines_only_in_the_main_file(ledger: Path) -> None:
    line = append(
        ledger.parent / "2026.beancount", 'option "insert_pythonpath" "TRUE"\n'
    )
    found = messages_at(ledger)
    assert ("2026.beancount", line) in [(n, lineno) for n, lineno, _ in found]


def lines_reported(tmp_path: Path, body: str) -> list[tuple[str, int, str]]:
    """What the gate says about a one-file book whose text is ``body``."""
    main = tmp_path / "books" / "main.beancount"
    main.parent.mkdir()
    main.write_bytes(body.encode("utf-8"))
    found = gate.inspect(main).errors
    return [
        (Path(e.source["filename"]).name, e.source["lineno"], e.message) for e in found
    ]


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        ("\x1bfirst\nsecond\n", [1]),
        ("first\nsecond\nlast\x00", [3]),
        ("a\r\nb\r\n\u202ec\r\n", [3]),
        ("a\r\n\x07\x07 twice on one line\r\nc\x7f\n\n\x1f", [2, 3, 5]),
    ],
)
def test_a_forbidden_character_is_reported_on_its_own_line(
    tmp_path: Path, body: str, lines: list[int]
) -> None:
    found = lines_reported(tmp_path, body)
    assert [lineno for _, lineno, _ in found] == lines
    assert all("制御文字" in message for _, _, message in found)


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('include "*.beancount"\n; rest\n', 1),
        ('; first\r\n; second\r\ninclude "*.beancount"', 3),
        ('; first\n\n  include "other.beancount"\r\n', 3),
        ('; first\r\n\tinclude "x.beancount"', 2),
    ],
)
def test_an_include_line_is_reported_on_its_own_line(
    tmp_path: Path, body: str, line: int
) -> None:
    found = lines_reported(tmp_path, body)
    assert [lineno for _, lineno, _ in found] == [line]
    assert "include" in found[0][2]


def test_plugin_line_in_an_included_file_after_crlf(tmp_path: Path) -> None:
    main = tmp_path / "books" / "main.beancount"
    main.parent.mkdir()
    main.write_text('include "year.beancount"\n', encoding="utf-8")
    (main.parent / "year.beancount").write_bytes(
        b'; a\r\n; b\r\n  option "title" "x"\r\nplugin "x"'
    )
    found = [
        (Path(e.source["filename"]).name, e.source["lineno"])
        for e in gate.inspect(main).errors
    ]
    assert found == [("year.beancount", 3), ("year.beancount", 4)]


def test_the_lines_looked_at_are_every_line_a_keyword_starts() -> None:
    """The word search finds exactly the lines that start, after white space of any
    kind but a newline, with include, plugin or option (the lines the checks read)."""
    pieces = ["include", "plugin", "option", " ", "\t", "\u3000", "\r", "\n", "\xa0"]
    pieces += ["x", "含む", ";", '"a.beancount"', "includes", "\x0c"]
    reference = re.compile(r"^[^\S\n]*(?:include|plugin|option)", re.MULTILINE)
    rng = random.Random(13)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        expected = [match.start() for match in reference.finditer(text)]
        assert gate._candidate_lines(text) == expected, repr(text)
