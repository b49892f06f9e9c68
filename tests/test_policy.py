"""The rules are the software's: the books cannot switch them off, loosen them or run code."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

from connect_books import policy, trusted

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "ledger", tmp_path / "ledger")
    return tmp_path / "ledger" / "main.beancount"


def errors_of(main: Path) -> list[tuple[str, int, str]]:
    _, errors, _ = trusted.load(main)
    return [
        (Path(e.source["filename"]).name, e.source["lineno"], e.message) for e in errors
    ]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_with(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_deleting_the_plugin_lines_is_an_error_and_the_rules_still_run(
    ledger: Path,
) -> None:
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(
        re.sub(r"(?m)^plugin .*\n", "", text), encoding="utf-8"
    )  # every rule's plugin line gone
    year = ledger.parent / "2026.beancount"
    with year.open("a", encoding="utf-8") as out:
        out.write(
            '\n2026-11-20 * "x" "端数"\n'
            "  Assets:1110-現金  -1000.5 JPY\n"
            "  Expenses:5210-管理費:5214-事務用品費  1000.5 JPY\n"
        )
    found = errors_of(ledger)
    assert any("規則のプラグインの plugin 行" in m for _, _, m in found)
    assert any(n == "2026.beancount" and "端数" in m for n, _, m in found)


def test_loosened_settings_on_a_rule_are_an_error(ledger: Path) -> None:
    main_text = ledger.read_text(encoding="utf-8")
    hygiene = next(line for line in main_text.splitlines() if "plugins.hygiene" in line)
    edit(
        ledger,
        hygiene,
        'plugin "connect_books.plugins.hygiene" "{\'future_days\': 100000}"',
    )
    found = errors_of(ledger)
    line = line_with(ledger, "plugins.hygiene")
    assert any(
        (n, lineno) == ("main.beancount", line) and "設定は書けません" in m
        for n, lineno, m in found
    )


@pytest.mark.parametrize(
    "option",
    [
        'option "inferred_tolerance_default" "JPY:5000"',
        'option "inferred_tolerance_multiplier" "10000"',
        'option "insert_pythonpath" "TRUE"',
        'option "plugin_processing_mode" "raw"',
        'option "documents" "/etc"',
    ],
)
def test_weakening_options_are_errors(ledger: Path, option: str) -> None:
    edit(
        ledger,
        'option "render_commas" "TRUE"',
        f'option "render_commas" "TRUE"\n{option}',
    )
    line = line_with(ledger, option)
    found = errors_of(ledger)
    assert any(
        (n, lineno) == ("main.beancount", line) and "は使えません" in m
        for n, lineno, m in found
    )


def test_tolerance_option_does_not_let_an_unbalanced_entry_through(
    ledger: Path,
) -> None:
    edit(
        ledger,
        'option "render_commas" "TRUE"',
        'option "render_commas" "TRUE"\noption "inferred_tolerance_default" "JPY:5000"',
    )
    year = ledger.parent / "2026.beancount"
    with year.open("a", encoding="utf-8") as out:
        out.write(
            '\n2026-11-20 * "x" "不一致"\n'
            "  Assets:1110-現金  -1000 JPY\n"
            "  Expenses:5210-管理費:5214-事務用品費  999 JPY\n"
        )
    found = errors_of(ledger)
    assert any(
        n == "2026.beancount" and "借方と貸方が一致しません" in m for n, _, m in found
    )


def test_balance_tolerance_in_the_books_is_refused(ledger: Path) -> None:
    year = ledger.parent / "2026.beancount"
    text = year.read_text(encoding="utf-8")
    match = re.search(
        r"(?m)^(2026-\d\d-01 balance Assets:1110-現金\s+)(\d+)( JPY)$", text
    )
    assert match
    short = int(match.group(2)) - 4860
    year.write_text(
        text.replace(match.group(0), f"{match.group(1)}{short} ~ 5000 JPY", 1),
        encoding="utf-8",
    )
    found = errors_of(ledger)
    assert any("誤差" in m for _, _, m in found)
    assert any("残高の確認が合いません" in m for _, _, m in found)


def test_code_in_the_ledger_folder_never_runs(ledger: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    payload = f"open({str(marker)!r}, 'w').write('x')\n__plugins__ = ()\n"
    for name in ("evil.py", "evilext.py", "connect_books_evil.py"):
        (ledger.parent / name).write_text(payload, encoding="utf-8")
    edit(
        ledger,
        'option "render_commas" "TRUE"',
        'option "render_commas" "TRUE"\noption "insert_pythonpath" "TRUE"\nplugin "evil"',
    )
    year = ledger.parent / "2026.beancount"
    with year.open("a", encoding="utf-8") as out:
        out.write('\n2026-11-01 custom "fava-extension" "evilext"\n')

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str, str]]:
            return (open, (str(marker), "w"))

    (ledger.parent / ".main.beancount.picklecache").write_bytes(pickle.dumps(Payload()))
    entries, errors, _ = trusted.load(ledger)
    assert not marker.exists()
    messages = [e.message for e in errors]
    assert any("evil は使えません" in m for m in messages)
    assert any("Fava 拡張 evilext は使えません" in m for m in messages)
    assert not any(
        getattr(e, "type", None) == "fava-extension" and e.values[0].value == "evilext"
        for e in entries
    ), "Fava must never see the extension"


def test_rules_run_in_the_code_order_with_no_settings(ledger: Path) -> None:
    _, _, options = trusted.load(ledger)
    assert options["plugin"] == [(name, None) for name in policy.RULES]
    assert options["insert_pythonpath"] is False
    assert options["inferred_tolerance_default"] == {}
