"""The command line speaks Japanese, also for click's own usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from connect_books.cli import main


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["board-pack"], "エラー: '--year' を指定してください。"),
        (
            ["report", "budget", "--year", "2025", "--bogus"],
            "エラー: オプション --bogus はありません。",
        ),
        (["serve", "--port", "abc"], "エラー: '--port' の値が正しくありません"),
        (["close-year"], "エラー: 'YEAR' を指定してください。"),
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
