"""Input hygiene: what bean-check accepts silently but these books must refuse.

Put it first of all plugins in ``main.beancount``, with its configuration::

    plugin "connect_books.plugins.hygiene" "{
      'future_days': 31,                    # no entry dated more than 31 days after today
      'opening_file': 'opening.beancount',  # the only file where `pad` may be used
      'documents': 'documents',             # `document` files only under this folder
      'allow_plugins': ['connect_books.plugins.dues', ...],
      'allow_extensions': [],               # custom "fava-extension" modules allowed
      'allow_import_config': [],            # custom "fava-option" "import-config" allowed
    }"

(The configuration is one string on one line; it is read with ``ast.literal_eval``.)
Each of these becomes an error on the user's own line:

* a fractional yen amount (``1000.5 JPY``): posting units, prices and costs, ``balance``
  and ``price`` amounts, and JPY amounts in ``custom`` directives (budget lines, grant
  decisions, dues rates …);
* a posting of zero (``0 JPY``), and a transaction whose postings are all zero;
* an entry dated more than ``future_days`` days after today;
* ``pad`` outside the opening-balance file (a ``pad`` hides a discrepancy);
* a ``document`` whose file, after resolving ``..`` and symbolic links, is not inside
  ``<folder of main.beancount>/<documents>`` (``/etc/passwd``, ``../../x``);
* a ``plugin`` line, ``custom "fava-extension"`` or ``custom "fava-option"
  "import-config"`` not on its allowlist: each of them runs Python code, so writing the
  books must not be enough to run code. This plugin itself is always allowed. Plugin
  lines are no entries: their errors point at the main file (line 0) and name the plugin.
* an ``open`` whose ``role:`` is not one of :class:`connect_books.chart.Role` (a
  misspelt role would silently drop the account from the rules and statements);
* ``option "plugin_processing_mode" "raw"`` (it switches off balance checks) and
  ``option "insert_pythonpath" "TRUE"`` (it lets a file next to the books stand in for an
  allowed plugin).

The plugin returns the entries unchanged.
"""

from __future__ import annotations

import ast
import datetime
import os
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.interpolate import AUTOMATIC_META
from beancount.core.position import Cost

from connect_books.chart import Role, unknown_role
from connect_books.errors import BooksError, options_source
from connect_books.money import JPY

__plugins__ = ("hygiene",)

SELF = "connect_books.plugins.hygiene"
EXAMPLE = (
    "plugin \"connect_books.plugins.hygiene\" \"{'future_days': 31, 'opening_file': "
    "'opening.beancount', 'documents': 'documents', 'allow_plugins': [...]}\""
)


class HygieneError(BooksError):
    """Input the books must not accept."""


class HygieneConfigError(BooksError):
    """The hygiene plugin's own configuration is wrong."""


@dataclass(frozen=True)
class Config:
    """The hygiene plugin's configuration (from its ``plugin`` line)."""

    future_days: int = 31
    opening_file: str = "opening.beancount"
    documents: str = "documents"
    allow_plugins: tuple[str, ...] = ()
    allow_extensions: tuple[str, ...] = ()
    allow_import_config: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> Config:
        """Read the configuration string; raise ValueError (Japanese) when it is wrong."""
        if text is None or not text.strip():
            return cls()
        try:
            raw = ast.literal_eval(text)
        except (ValueError, SyntaxError) as exc:
            raise ValueError(
                f"設定が Python の辞書として読めません ({exc.__class__.__name__})。"
            ) from exc
        if not isinstance(raw, dict):
            raise ValueError(
                "設定は {'future_days': 31, ...} のような辞書で書いてください。"
            )
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                raise ValueError(
                    f"設定の項目 '{key}' は使えません (使える項目: {', '.join(known)})。"
                )
            if key == "future_days":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(
                        "future_days は 0 以上の整数 (日数) で書いてください。"
                    )
            elif key in ("opening_file", "documents"):
                if not isinstance(value, str) or not value:
                    raise ValueError(
                        f"{key} はファイル名・フォルダ名の文字列で書いてください。"
                    )
            else:
                if not isinstance(value, list | tuple) or not all(
                    isinstance(v, str) for v in value
                ):
                    raise ValueError(f"{key} は文字列のリストで書いてください。")
                value = tuple(value)
            values[key] = value
        return cls(**values)


def hygiene(
    entries: Sequence[data.Directive],
    options_map: dict[str, Any],
    config: str | None = None,
) -> tuple[list[data.Directive], list[BooksError]]:
    """Check the books for fractional yen, zero postings, future dates, stray pads,
    documents outside the documents folder and code-running lines not allowed.

    Args:
        entries: the directives.
        options_map: Beancount's options (``filename``, ``plugin``).
        config: the configuration string of the plugin line.

    Returns:
        The entries, unchanged, and the errors found.
    """
    main = str(options_map.get("filename") or "<main>")
    main_meta = options_source(options_map)
    try:
        cfg = Config.parse(config)
    except ValueError as exc:
        return list(entries), [
            HygieneConfigError(
                main_meta, f"hygiene プラグインの{exc} 例: {EXAMPLE}", None
            )
        ]

    errors: list[BooksError] = []
    errors.extend(_check_options(options_map, cfg, main_meta))
    limit = datetime.date.today() + datetime.timedelta(days=cfg.future_days)
    root = os.path.realpath(
        os.path.join(os.path.dirname(os.path.abspath(main)), cfg.documents)
    )
    for entry in entries:
        if isinstance(entry, data.Transaction):
            if not _plainly_fine(entry.postings):
                _check_transaction(entry, errors)
        elif isinstance(entry, data.Custom):
            _check_custom(entry, cfg, errors)
        elif isinstance(entry, data.Balance | data.Price):
            what = "残高" if isinstance(entry, data.Balance) else "価格"
            _check_yen(entry.amount, entry.meta, entry, what, errors)
        elif isinstance(entry, data.Pad):
            if (
                os.path.basename(str(entry.meta.get("filename", "")))
                != cfg.opening_file
            ):
                errors.append(
                    HygieneError(
                        entry.meta,
                        f"pad は開始残高のファイル ({cfg.opening_file}) でだけ使えます。"
                        "差額は pad で埋めず、原因を調べて取引として記録してください。",
                        entry,
                    )
                )
        elif isinstance(entry, data.Document):
            _check_document(entry, root, cfg, errors)
        elif isinstance(entry, data.Open) and entry.meta.get("role") is not None:
            _check_role(entry, errors)

    # The loader hands plugins their entries sorted by date: only the tail can lie ahead.
    future = []
    for entry in reversed(entries):
        if entry.date <= limit:
            break
        future.append(
            HygieneError(
                entry.meta,
                f"日付 {entry.date} は今日から {cfg.future_days} 日より先です。日付の打ち間違いでないか確かめてください。",
                entry,
            )
        )
    errors.extend(reversed(future))
    return list(entries), errors


def _check_options(
    options_map: dict[str, Any], cfg: Config, meta: dict[str, Any]
) -> list[BooksError]:
    errors: list[BooksError] = []
    allowed = {SELF, *cfg.allow_plugins}
    for name, _ in options_map.get("plugin", ()):
        if name not in allowed:
            errors.append(
                HygieneError(
                    meta,
                    f'plugin "{name}" は許可されていません。プラグインは Python のコードを実行します。'
                    "必要なら hygiene の設定 allow_plugins に加えてください。",
                    None,
                )
            )
    if options_map.get("plugin_processing_mode", "default") != "default":
        errors.append(
            HygieneError(
                meta,
                'option "plugin_processing_mode" は使えません (残高の検証が止まります)。この行を消してください。',
                None,
            )
        )
    if options_map.get("insert_pythonpath"):
        errors.append(
            HygieneError(
                meta,
                'option "insert_pythonpath" は使えません (帳簿のフォルダのファイルがプラグインの代わりに'
                "実行されます)。この行を消してください。",
                None,
            )
        )
    return errors


def _plainly_fine(postings: list[data.Posting]) -> bool:
    """Whether :func:`_check_transaction` surely finds nothing: the common transaction,
    each posting a nonzero whole number of units without price or cost (any currency).

    A cheap first look (it need not even read the currencies); False only means "look
    closer".
    """
    for _, units, cost, price, _, _ in postings:
        if units is None or cost is not None or price is not None:
            return False
        number = units.number
        if (
            not number
            or type(number) is not Decimal
            or number != number.to_integral_value()
        ):
            return False
    return bool(postings)


def _check_transaction(entry: data.Transaction, errors: list[BooksError]) -> None:
    zeros = []
    nonzero = False
    for posting in entry.postings:
        units = posting.units
        if units is None or units.number is None:  # (incomplete: Beancount reports it)
            continue
        number = units.number
        if not number:
            zeros.append(posting)
        elif (
            units.currency == JPY
            and number != number.to_integral_value()
            and not (posting.meta and posting.meta.get(AUTOMATIC_META))
        ):  # (an interpolated amount is not blamed: the cause is on another line)
            what = f"{posting.account} の金額"
            errors.append(_fraction(units, _line(posting, entry), entry, what))
        nonzero = nonzero or bool(number)
        price, cost = posting.price, posting.cost
        if price is not None:
            what = f"{posting.account} の単価"
            _check_yen(price, _line(posting, entry), entry, what, errors)
        if isinstance(cost, Cost) and cost.number is not None and cost.currency:
            what = f"{posting.account} の取得価額"
            _check_yen(
                Amount(cost.number, cost.currency),
                _line(posting, entry),
                entry,
                what,
                errors,
            )
    if not nonzero:
        errors.append(
            HygieneError(
                entry.meta,
                "金額がすべて 0 の取引です。金額を書くか、この取引を消してください。",
                entry,
            )
        )
        return
    for posting in zeros:
        errors.append(
            HygieneError(
                _line(posting, entry),
                f"{posting.account} の金額が 0 です。0 円の行は書かないでください。",
                entry,
            )
        )


def _line(posting: data.Posting, entry: data.Transaction) -> dict[str, Any]:
    """The posting's own line when it has one, else the transaction's."""
    return posting.meta if posting.meta and "lineno" in posting.meta else entry.meta


def _check_custom(entry: data.Custom, cfg: Config, errors: list[BooksError]) -> None:
    values = entry.values
    for value in values:
        if type(value.value) is Amount:
            _check_yen(
                value.value, entry.meta, entry, f'custom "{entry.type}" の金額', errors
            )
    if entry.type == "fava-extension":
        name = values[0].value if values else None
        if name not in cfg.allow_extensions:
            errors.append(
                HygieneError(
                    entry.meta,
                    f"Fava 拡張 '{name}' は許可されていません。拡張は Python のコードを実行します。"
                    "必要なら hygiene の設定 allow_extensions に加えてください。",
                    entry,
                )
            )
    elif entry.type == "fava-option" and values:
        key = str(values[0].value).replace("_", "-")
        target = values[1].value if len(values) > 1 else None
        if key == "import-config" and target not in cfg.allow_import_config:
            errors.append(
                HygieneError(
                    entry.meta,
                    f"Fava の import-config '{target}' は許可されていません。取込設定は Python のコードを実行します。"
                    "必要なら hygiene の設定 allow_import_config に加えてください。",
                    entry,
                )
            )


def _check_document(
    entry: data.Document, root: str, cfg: Config, errors: list[BooksError]
) -> None:
    real = os.path.realpath(entry.filename)
    if os.path.commonpath([root, real]) != root:
        errors.append(
            HygieneError(
                entry.meta,
                f"証憑のファイル {entry.filename} は証憑フォルダ ({cfg.documents}/) の外にあります。"
                f"ファイルを {root} の中に置き、そこを指してください。",
                entry,
            )
        )


def _check_role(entry: data.Open, errors: list[BooksError]) -> None:
    role = unknown_role(entry.meta)
    if role is not None:
        errors.append(
            HygieneError(
                entry.meta,
                f'{entry.account} の role: "{role}" は使えません'
                f" (使える role: {', '.join(Role)})。綴りを直してください。"
                "このままでは規則と計算書がこの科目の役割を見落とします。",
                entry,
            )
        )


def _check_yen(
    amount: Amount | None,
    meta: dict[str, Any],
    entry: data.Directive,
    what: str,
    errors: list[BooksError],
) -> None:
    if (
        amount is None
        or amount.currency != JPY
        or not isinstance(amount.number, Decimal)
    ):
        return
    if amount.number != amount.number.to_integral_value():
        errors.append(_fraction(amount, meta, entry, what))


def _fraction(
    amount: Amount, meta: dict[str, Any], entry: data.Directive, what: str
) -> HygieneError:
    return HygieneError(
        meta,
        f"{what} {amount.number} JPY に 1 円未満の端数があります。円は整数で書いてください。",
        entry,
    )
