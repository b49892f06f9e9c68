"""The command line speaks Japanese, also for click's own usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from connect_books.books import BooksNotFound
from connect_books.cli import LAZY_COMMANDS, main
from connect_books.closing import ClosingRefused
from connect_books.errors import Refused
from connect_books.serve import ServeRefused
from connect_books.writer import WriteRefused


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["board-pack"], "エラー: '--year' を指定してください。"),
        (
            ["report", "budget", "--year", "2025", "--bogus"],
            "エラー: オプション --bogus はありません。",
        ),
        (
            ["serve", "--port", "abc"],
            "エラー: '--port' の値が正しくありません: 'abc' は整数ではありません。",
        ),
        (["close-year"], "エラー: 'YEAR' を指定してください。"),
        (["check", "a", "b"], "エラー: 余分な引数 b があります。"),
        (["nosuch"], "エラー: コマンド 'nosuch' はありません。"),
        (["add", "--document", "/"], "'/' はフォルダです。"),
        (
            ["report", "budget", "--year"],
            "エラー: オプション --year には値が要ります。",
        ),
    ],
)
def test_usage_errors_are_japanese(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Error:" not in result.output
    assert "--help" in result.output


def test_command_errors_are_japanese(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "none.beancount")])
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 帳簿ファイル")


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("check", "serve", "report", "board-pack", "audit-pack", "close-year"):
        assert name in result.output


@pytest.mark.parametrize(
    "refusal", [BooksNotFound, ClosingRefused, WriteRefused, ServeRefused]
)
def test_every_library_refusal_is_one_refused(refusal: type[Exception]) -> None:
    assert issubclass(refusal, Refused)


def test_a_refusal_is_printed_by_the_group(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise WriteRefused("書き込みをやめました。", ["a.beancount:1: 問題"])

    monkeypatch.setattr("connect_books.books.load", refuse)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output == "エラー: 書き込みをやめました。\na.beancount:1: 問題\n"


HELP = """\
import sys
from connect_books.cli import LAZY_COMMANDS, main
try:
    main(["--help"])
except SystemExit:
    pass
print(sorted(m for m in ("beancount", "fava", "openpyxl", "beanquery") if m in sys.modules))
"""


def test_help_loads_no_accounting_library() -> None:
    """``connect-books --help`` stays fast: the commands import the library when they run."""
    result = subprocess.run(
        [sys.executable, "-c", HELP], capture_output=True, text=True, check=True
    )
    assert "close-year" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


CHECK = """\
import sys
from connect_books.cli import LAZY_COMMANDS, main
try:
    main(["check", sys.argv[1]])
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.startswith("connect_books.cmd_")))
"""


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    """The commands of other modules are imported when they run (lazily), not before."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path / "none.beancount")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_every_lazy_command_has_its_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"], prog_name="connect-books")
    assert result.exit_code == 0, result.output
    assert f"connect-books {name}" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["add"],
        ["balance"],
        ["dues", "pay"],
        ["close-year"],
        ["import"],
        ["depreciation"],
    ],
)
def test_every_writing_command_takes_git_and_commit(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--git, --commit" in result.output


def test_help_screens_are_japanese() -> None:
    for args in (["--help"], ["check", "--help"], ["report", "--help"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0
        assert result.output.startswith("使い方: ")  # (the runner names it "main")
        assert "オプション:" in result.output
        assert (
            "Show this message" not in result.output and "Usage:" not in result.output
        )
