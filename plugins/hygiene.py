"""Input hygiene: what bean-check accepts silently but these books must refuse.

Put it first of all plugins in ``main.beancount``, with no settings::

    plugin "connect_books.plugins.hygiene"

Its limits are the code's (:data:`FUTURE_DAYS`, :data:`OPENING_FILE`, :data:`DOCUMENTS`),
and which plugins, Fava extensions and options are allowed is
:mod:`connect_books.policy`'s: the books cannot loosen any of it.
Each of these becomes an error on the user's own line:

* a fractional yen amount (``1000.5 JPY``): posting units, prices and costs, ``balance``
  and ``price`` amounts, and JPY amounts in ``custom`` directives (budget lines, grant
  decisions, dues rates …); and, in the same places, one of :data:`MAX_YEN` or more (a
  slip of the keyboard; Excel keeps 15 digits, so the workbooks would show another figure);
* a posting of zero (``0 JPY``), and a transaction whose postings are all zero;
* an entry dated more than :data:`FUTURE_DAYS` days after today;
* ``pad`` outside the opening-balance file (a ``pad`` hides a discrepancy);
* a ``document`` whose file, after resolving ``..`` and symbolic links, is not inside
  ``<folder of main.beancount>/documents`` (``/etc/passwd``, ``../../x``);
* a ``plugin`` line not among :data:`connect_books.policy.RULES`, a ``custom
  "fava-extension"`` the project does not ship, ``custom "fava-option" "import-config"``,
  or a ``balance`` with a tolerance (:func:`connect_books.policy.screen_entries`);
  plugin lines are no entries: their errors point at the main file (line 0);
* an ``open`` whose ``role:`` is not one of :class:`connect_books.chart.Role` (a
  misspelt role would silently drop the account from the rules and statements);
* a ``related-party`` written wrong or twice, and a ``related:`` naming no party
  (:mod:`connect_books.related`);
* a bank line imported twice: two transactions with the same ``import-key``
  (:func:`connect_books.importers.keys.duplicate_keys`), even from two imports at once;
* an option that weakens validation or runs code (``insert_pythonpath``,
  ``plugin_processing_mode``, tolerances: :data:`connect_books.policy.FORBIDDEN_OPTIONS`).

(``connect-books`` itself loads the books with the rules in the code's order whatever
the plugin lines say, and reports those lines at their own line numbers; this plugin
gives the same protection to plain ``bean-check`` and Fava.)

The plugin returns the entries unchanged.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.interpolate import AUTOMATIC_META
from beancount.core.position import Cost

from connect_books import policy
from connect_books.chart import Role, unknown_role
from connect_books.errors import BooksError, options_source, reject_config
from connect_books.importers.keys import duplicate_keys
from connect_books.money import JPY
from connect_books.related import KEY as RELATED_KEY
from connect_books.related import RelatedParties

__plugins__ = ("hygiene",)

#: No entry may be dated more than this many days after today.
FUTURE_DAYS = 31
#: No yen amount reaches this (1兆円): far beyond the organisation, within Excel's digits.
MAX_YEN = Decimal(10) ** 12
#: The only file where ``pad`` may be used (the predecessors' opening balances).
OPENING_FILE = "opening.beancount"
#: The folder, next to the main file, that holds every voucher.
DOCUMENTS = "documents"


class HygieneError(BooksError):
    """Input the books must not accept."""


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
    errors: list[BooksError] = reject_config("hygiene", config, options_map)
    errors.extend(_check_options(options_map, main_meta))
    errors.extend(policy.screen_entries(entries)[1])
    errors.extend(duplicate_keys(entries))
    related, related_errors = RelatedParties.from_entries(
        e for e in entries if type(e) is data.Custom
    )
    errors.extend(related_errors)
    limit = datetime.date.today() + datetime.timedelta(days=FUTURE_DAYS)
    root = documents_root(main)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            if not _plainly_fine(entry.postings):
                _check_transaction(entry, errors)
            named = entry.meta.get(RELATED_KEY)
            if named is not None and named not in related.parties:
                errors.append(
                    HygieneError(entry.meta, related.unknown_message(str(named)), entry)
                )
        elif isinstance(entry, data.Custom):
            _check_custom(entry, errors)
        elif isinstance(entry, data.Balance | data.Price):
            what = "残高" if isinstance(entry, data.Balance) else "価格"
            _check_yen(entry.amount, entry.meta, entry, what, errors)
        elif isinstance(entry, data.Pad):
            if os.path.basename(str(entry.meta.get("filename", ""))) != OPENING_FILE:
                errors.append(
                    HygieneError(
                        entry.meta,
                        f"pad は開始残高のファイル ({OPENING_FILE}) でだけ使えます。"
                        "差額は pad で埋めず、原因を調べて取引として記録してください。",
                        entry,
                    )
                )
        elif isinstance(entry, data.Document):
            _check_document(entry, root, errors)
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
                f"日付 {entry.date} は今日から {FUTURE_DAYS} 日より先です。日付の打ち間違いでないか確かめてください。",
                entry,
            )
        )
    errors.extend(reversed(future))
    return list(entries), errors


def _check_options(
    options_map: dict[str, Any], meta: dict[str, Any]
) -> list[BooksError]:
    errors: list[BooksError] = []
    for name, _ in options_map.get("plugin", ()):
        if name not in policy.RULES:
            errors.append(
                HygieneError(
                    meta,
                    f'plugin "{name}" は使えません。プラグインは Python のコードを実行するので、'
                    "機構の規則のプラグインだけを書けます。この行を消してください。",
                    None,
                )
            )
    for name in policy.weakened_options(options_map):
        errors.append(
            HygieneError(
                meta,
                f'option "{name}" は使えません ({policy.FORBIDDEN_OPTIONS[name]})。'
                "この行を消してください。",
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
            or not -MAX_YEN < number < MAX_YEN
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
        elif (
            units.currency == JPY
            and not -MAX_YEN < number < MAX_YEN
            and not (posting.meta and posting.meta.get(AUTOMATIC_META))
        ):
            what = f"{posting.account} の金額"
            errors.append(_too_large(units, _line(posting, entry), entry, what))
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


def _check_custom(entry: data.Custom, errors: list[BooksError]) -> None:
    for value in entry.values:
        if type(value.value) is Amount:
            _check_yen(
                value.value, entry.meta, entry, f'custom "{entry.type}" の金額', errors
            )


def documents_root(main: str) -> str:
    """Where every voucher must be: the ``documents`` folder inside the books' folder.

    Only the books' folder itself is resolved, not ``documents``: a ``documents`` that is
    a symbolic link to another folder does not take the vouchers out of the books.
    """
    folder = os.path.realpath(os.path.dirname(os.path.abspath(main)))
    return os.path.join(folder, DOCUMENTS)


def _check_document(entry: data.Document, root: str, errors: list[BooksError]) -> None:
    real = os.path.realpath(entry.filename)
    if os.path.commonpath([root, real]) != root:
        link = (
            f" ({DOCUMENTS}/ は {os.path.realpath(root)} へのシンボリックリンクです。"
            "証憑は帳簿のフォルダの中に置いてください)"
            if os.path.islink(root)
            else ""
        )
        errors.append(
            HygieneError(
                entry.meta,
                f"証憑のファイル {entry.filename} は証憑フォルダ ({DOCUMENTS}/) の外にあります{link}。"
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
    elif not -MAX_YEN < amount.number < MAX_YEN:
        errors.append(_too_large(amount, meta, entry, what))


def _too_large(
    amount: Amount, meta: dict[str, Any], entry: data.Directive, what: str
) -> HygieneError:
    return HygieneError(
        meta,
        f"{what} {amount.number:,} JPY は大きすぎます (1兆円以上)。"
        "桁の打ち間違いでないか確かめてください。",
        entry,
    )


def _fraction(
    amount: Amount, meta: dict[str, Any], entry: data.Directive, what: str
) -> HygieneError:
    return HygieneError(
        meta,
        f"{what} {amount.number} JPY に 1 円未満の端数があります。円は整数で書いてください。",
        entry,
    )
