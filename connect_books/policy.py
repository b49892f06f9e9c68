"""The rules are the software's: which plugins run, with which settings, and which options.

The books name their plugins for the benefit of ``bean-check`` and plain Fava, but
connect-books never takes that list from them. Every command loads the books with
:data:`RULES`, in this order and with the settings the code holds, and reports as an
error at its line any ``plugin`` line that is missing, extra, reordered or carries
settings, and any ``option`` that would weaken validation or run code. Fava extensions
and importers named in the books are dropped before Fava sees them unless they are on
the project's own list. All of this is decided from the text, before Beancount imports
anything the books name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from connect_books.errors import BooksError

#: The organisation's rules, in the order they run (hygiene first, the lock last).
RULES = (
    "connect_books.plugins.hygiene",
    "connect_books.plugins.no_distribution",
    "connect_books.plugins.dues",
    "connect_books.plugins.funds",
    "connect_books.plugins.budget",
    "connect_books.plugins.withholding",
    "connect_books.plugins.settlement",
)
#: Fava extensions the project ships (``custom "fava-extension" "…"``).
EXTENSIONS: tuple[str, ...] = ("connect_books.fava_ext",)
#: Options the books may not set, and why (each weakens validation or runs code).
FORBIDDEN_OPTIONS = {
    "insert_pythonpath": "帳簿のフォルダの Python のコードを読み込ませます",
    "plugin_processing_mode": "Beancount 自身の検証を止めます",
    "inferred_tolerance_default": "貸借の一致や残高の確認に誤差を認めます",
    "inferred_tolerance_multiplier": "貸借の一致や残高の確認に誤差を認めます",
    "infer_tolerance_from_cost": "貸借の一致に誤差を認めます",
    "documents": "帳簿のフォルダの外から証憑を読み込ませます",
    "account_rounding": "端数を黙って別の科目に移します",
}
#: Fava options the books may not set (they name Python code to run).
FORBIDDEN_FAVA_OPTIONS = frozenset({"import-config", "import-dirs"})

_PLUGIN = re.compile(r'^plugin\s+"([^"]*)"(?:\s+"((?:[^"\\]|\\.)*)")?\s*(;.*)?$')
_OPTION = re.compile(r'^option\s+"([^"]*)"')


class PolicyError(BooksError):
    """A ``plugin`` or ``option`` line, or a Fava setting, that the rules do not allow."""


def _at(path: Path, line: int) -> dict[str, Any]:
    return {"filename": str(path), "lineno": line}


def _rule_lines() -> str:
    return "\n".join(f'  plugin "{name}"' for name in RULES)


def check_main(path: Path, text: str) -> list[BooksError]:
    """Errors in the ``plugin`` and ``option`` lines of the main file ``text``."""
    errors: list[BooksError] = []
    plugins: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        option = _OPTION.match(line)
        if option is not None and option.group(1) in FORBIDDEN_OPTIONS:
            name = option.group(1)
            errors.append(
                PolicyError(
                    _at(path, number),
                    f'option "{name}" は使えません ({FORBIDDEN_OPTIONS[name]})。'
                    "この行を消してください。",
                    None,
                )
            )
            continue
        if not line.startswith("plugin"):
            continue
        plugin = _PLUGIN.match(line)
        if plugin is None:
            errors.append(
                PolicyError(
                    _at(path, number),
                    'plugin 行が読めません。plugin "connect_books.plugins.…" と書いてください。',
                    None,
                )
            )
            continue
        name, config = plugin.group(1), plugin.group(2)
        if name not in RULES:
            errors.append(
                PolicyError(
                    _at(path, number),
                    f"プラグイン {name} は使えません。plugin 行は Python のコードを実行するので、"
                    "機構の規則のプラグインだけを書けます。この行を消してください。",
                    None,
                )
            )
            continue
        if config is not None:
            errors.append(
                PolicyError(
                    _at(path, number),
                    f"プラグイン {name} に設定は書けません。規則の設定はプログラムが決めます。"
                    f'plugin "{name}" とだけ書いてください。',
                    None,
                )
            )
        plugins.append((number, name))
    names = [name for _, name in plugins]
    if names != list(RULES):
        first = plugins[0][0] if plugins else 1
        missing = [name for name in RULES if name not in names]
        what = (
            f"{'、'.join(missing)} がありません"
            if missing
            else "順番が違うか、同じ行が二度あります"
        )
        errors.append(
            PolicyError(
                _at(path, first),
                f"規則のプラグインの plugin 行は、次の順にちょうど一度ずつ書いてください ({what}"
                f"。bean-check と Fava もこの規則で検証するためです):\n{_rule_lines()}",
                None,
            )
        )
    return errors


#: The value each forbidden option has when the books leave it alone.
_OPTION_DEFAULTS: dict[str, Any] = {
    "insert_pythonpath": False,
    "plugin_processing_mode": "default",
    "inferred_tolerance_default": {},
    "inferred_tolerance_multiplier": Decimal("0.5"),
    "infer_tolerance_from_cost": False,
    "documents": [],
    "account_rounding": None,
}


def weakened_options(options_map: dict[str, Any]) -> list[str]:
    """The forbidden options that ``options_map`` sets (for plain ``bean-check``)."""
    return [
        name
        for name, default in _OPTION_DEFAULTS.items()
        if name in options_map and options_map[name] != default
    ]


def enforce(options_map: dict[str, Any], main: Path) -> dict[str, Any]:
    """``options_map`` with the rules, settings and options the code holds."""
    forced = {**options_map, **_OPTION_DEFAULTS}
    forced["plugin"] = [(name, None) for name in RULES]
    forced["pythonpath"] = []
    forced["filename"] = str(main)
    return forced


def screen_entries(
    entries: Sequence[data.Directive],
) -> tuple[list[data.Directive], list[BooksError]]:
    """The entries without Fava extensions and importers the project does not ship.

    A ``balance`` with a tolerance (``~ 5000 JPY``) is reported and checked exactly.

    Fava imports the module a ``custom "fava-extension"`` names, with the ledger folder
    first on ``sys.path``; ``import-config`` names an importer script. Such entries are
    removed (so Fava never sees them) and reported at their line.
    """
    kept: list[data.Directive] = []
    errors: list[BooksError] = []
    for entry in entries:
        if type(entry) is data.Custom and entry.type in (
            "fava-extension",
            "fava-option",
        ):
            name = str(entry.values[0].value) if entry.values else ""
            if entry.type == "fava-extension" and name not in EXTENSIONS:
                errors.append(
                    PolicyError(
                        entry.meta,
                        f"Fava 拡張 {name} は使えません。Fava 拡張は Python のコードを実行するので、"
                        "connect-books に付いている拡張だけを書けます。この行を消してください。",
                        entry,
                    )
                )
                continue
            if entry.type == "fava-option" and name in FORBIDDEN_FAVA_OPTIONS:
                errors.append(
                    PolicyError(
                        entry.meta,
                        f'Fava の設定 "{name}" は使えません (Python のコードを実行するため)。'
                        "銀行明細の取り込みは connect-books の機能を使ってください。",
                        entry,
                    )
                )
                continue
        if type(entry) is data.Balance and entry.tolerance is not None:
            errors.append(
                PolicyError(
                    entry.meta,
                    f"残高の確認に誤差 (~ {entry.tolerance}) は書けません。"
                    "通帳・現金の残高は 1 円まで合わせて確かめます。~ と誤差を消してください。",
                    entry,
                )
            )
            entry = entry._replace(tolerance=None)
        kept.append(entry)
    return kept, errors


#: The BQL statements Fava's query page may run: they read the books only. Others
#: (``CREATE TABLE … USING 'csv:/any/path'``) open files on this machine.
READING_STATEMENTS = frozenset({"Select", "Balances", "Journal", "Print"})


def refused_query(query: str) -> str | None:
    """Why a BQL query may not run here (None when it may): one that is not a reading
    statement. A shell command (``run``, ``explain``, ``help``) is not a statement."""
    from beanquery import parser

    try:
        statement = parser.parse(query)
    except Exception:  # (a shell command, or an error the shell will say itself)
        return None
    name = type(statement).__name__
    if name in READING_STATEMENTS:
        return None
    return (
        "クエリで使えるのは SELECT・BALANCES・JOURNAL・PRINT だけです"
        f" ({name} のようにファイルを開く文は使えません)。"
    )
