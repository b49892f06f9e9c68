"""Exactly once: the stable key of each bank line, kept in the entry's metadata.

Every imported transaction carries ``import-key``::

    2026-10-05 * "エコメッセ" "2026年度会費"
      import-key: "yucho-2026-10-05-5c1d0e9a7b-1"
      member: "ECOMESSE"

``<bank>-<date>-<hash>-<n>``: the layout's id, the line's date, the first 10 hex digits of
the SHA-256 of the account and the line's fields (date, signed amount, the payee and memo
text after NFKC), and ``n``, which counts identical lines of the same day in one file (1,
2, …), so two identical transfers on one day stay two entries. The running balance and
the bank's own row number are left out: they depend on the order and period of the
export, so an overlapping export gives every line the same key again. A line whose key
is already in the books is not imported again.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from beancount.core import data

from connect_books.errors import BooksError

if TYPE_CHECKING:  # the rules import this module: keep pandas out of every load
    from connect_books.importers.statement import BankLine

#: The metadata key of an imported entry.
IMPORT_KEY = "import-key"
HASH_DIGITS = 10


def line_keys(bank: str, account: str, lines: Sequence[BankLine]) -> list[str]:
    """The key of each line, in order (``n`` counts repeats of the same line and day)."""
    seen: Counter[str] = Counter()
    keys = []
    for line in lines:
        fields = "\x1f".join(
            [account, line.date.isoformat(), str(line.amount), line.payee, line.memo]
        )
        digest = hashlib.sha256(fields.encode("utf-8")).hexdigest()[:HASH_DIGITS]
        stem = f"{bank}-{line.date.isoformat()}-{digest}"
        seen[stem] += 1
        keys.append(f"{stem}-{seen[stem]}")
    return keys


def existing_keys(entries: Iterable[data.Directive]) -> set[str]:
    """The import keys already in the books."""
    return {
        str(entry.meta[IMPORT_KEY])
        for entry in entries
        if isinstance(entry, data.Transaction) and IMPORT_KEY in (entry.meta or {})
    }


class DuplicateImportKey(BooksError):
    """Two transactions carry the same ``import-key`` (the same bank line twice)."""


def duplicate_keys(entries: Iterable[data.Directive]) -> list[BooksError]:
    """An error for each transaction whose ``import-key`` an earlier one already has.

    Written for the rule plugins (the lead may wire it into ``hygiene``): with it, two
    imports racing each other cannot both land the same line, whatever the order.
    """
    first: dict[str, data.Transaction] = {}
    errors: list[BooksError] = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        key = (entry.meta or {}).get(IMPORT_KEY)
        if key is None:
            continue
        if str(key) in first:
            earlier = first[str(key)].meta
            errors.append(
                DuplicateImportKey(
                    entry.meta,
                    f"取込キー {key} の銀行明細の行が二度記帳されています"
                    f" (最初は {earlier.get('filename', '?')}:{earlier.get('lineno', '?')})。"
                    "この取引を消してください。",
                    entry,
                )
            )
        else:
            first[str(key)] = entry
    return errors
