"""The bank importer on beangulp: one statement layout and one account of the books.

:class:`BankImporter` is a :class:`beangulp.Importer`, so ``connect-books import`` and
Fava's import page (through beangulp's ``identify`` → ``extract`` → ``deduplicate``) use
the same code. :func:`propose` turns each line of a statement into a proposed
transaction:

* a matched line (:mod:`~connect_books.importers.rules`) becomes a complete transaction
  flagged ``*``, with ``import-key`` and, for dues and donations, ``member:`` or
  ``supporter:``;
* an unmatched line becomes an incomplete transaction flagged ``!`` with only the bank
  posting, for the treasurer to assign (Fava's import page lets them edit it; the command
  lists it and writes nothing for it);
* a line whose ``import-key`` the books hold is marked imported (and beangulp's
  ``__duplicate__``): no rule runs for it, so its dues are not allocated twice;

:meth:`BankImporter.deduplicate` marks (beangulp's ``__duplicate__``) every proposal whose
``import-key`` the books already hold.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import beangulp  # type: ignore[import-untyped]  # beangulp ships no types
from beancount.core import data
from beancount.core.amount import Amount
from beangulp.extract import DUPLICATE  # type: ignore[import-untyped]

from connect_books.chart import Chart, Role
from connect_books.importers.decode import StatementRefused
from connect_books.importers.dues import DuesState
from connect_books.importers.keys import IMPORT_KEY, existing_keys, line_keys
from connect_books.importers.layout import Layout
from connect_books.importers.rules import MEMBER, SUPPORTER, Rules, Target
from connect_books.importers.statement import BankLine, Statement, read_statement
from connect_books.money import JPY
from connect_books.roster import Roster
from connect_books.settlement import read_settlements

FLAG_MATCHED = "*"
#: In a rule's ``payee``, the name of the statement's bank (``中央労働金庫``).
BANK_NAME = "{bank}"
FLAG_UNMATCHED = "!"
DONATION = "ご寄付"
DESIGNATED = "ご寄付 (使途指定)"


@dataclass(frozen=True)
class Proposal:
    """One line of the statement and what the import proposes for it."""

    line: BankLine
    key: str
    entry: data.Transaction
    #: Why the line is unmatched (empty when it is matched).
    reason: str = ""
    target: Target | None = None
    #: The books already hold the line (its ``import-key``): nothing is proposed for it.
    imported: bool = False

    @property
    def matched(self) -> bool:
        """Whether the entry is complete and new."""
        return not self.reason and not self.imported


def propose(
    statement: Statement,
    account: str,
    rules: Rules,
    existing: Sequence[data.Directive],
) -> list[Proposal]:
    """A proposal for every line of ``statement``, in order.

    Args:
      statement: the statement read.
      account: the books' account the statement is of.
      rules: the import rules.
      existing: the books' entries (for the roster, the chart and the dues paid).
    """
    roster, _ = Roster.from_entries(existing)
    chart = Chart.from_entries(existing)
    settled, _ = read_settlements(existing)
    dues = DuesState.of(existing, roster, chart, settled)
    counter = _donation_account(chart, account)
    keys = line_keys(statement.layout.id, account, statement.lines)
    known = existing_keys(existing)
    proposals = []
    for line, key in zip(statement.lines, keys, strict=True):
        meta = data.new_metadata(str(statement.path), line.line)
        meta[IMPORT_KEY] = key
        bank = _posting(account, line.amount)
        if key in known:  # already booked: its dues must not be allocated again
            meta[DUPLICATE] = True
            entry = _unmatched(line, key, meta, bank, "").entry
            proposals.append(Proposal(line, key, entry, imported=True))
            continue
        match = rules.match(line)
        target = match.target
        if target is None:
            proposals.append(_unmatched(line, key, meta, bank, match.reason))
            continue
        if target.kind == MEMBER:
            if dues is None:
                proposals.append(
                    _unmatched(line, key, meta, bank, "会費の科目がありません")
                )
                continue
            parts = dues.allocate(target.id, line.amount, line.date, rules.advance_from)
            if isinstance(parts, str):
                proposals.append(_unmatched(line, key, meta, bank, parts, target))
                continue
            meta["member"] = target.id
            postings = [bank, *(_posting(p.account, -p.amount) for p in parts)]
            narration = "、".join(p.label for p in parts)
        elif target.kind == SUPPORTER:
            if counter is None:
                reason = f"{account} への寄付を受ける寄附金の科目がありません"
                proposals.append(_unmatched(line, key, meta, bank, reason, target))
                continue
            meta["supporter"] = target.id
            postings = [bank, _posting(counter[0], -line.amount)]
            narration = counter[1]
        else:
            postings = [bank, _posting(target.account, -line.amount)]
            narration = target.narration
        if not line.deposit:  # as the journals write a payment: the expense first
            postings.reverse()
        payee = (
            target.payee.replace(BANK_NAME, statement.layout.bank) or line.payee or None
        )
        entry = data.Transaction(
            meta,
            line.date,
            FLAG_MATCHED,
            payee,
            narration,
            frozenset(),
            frozenset(),
            postings,
        )
        proposals.append(Proposal(line, key, entry, target=target))
    return proposals


def _posting(account: str, amount: int) -> data.Posting:
    return data.Posting(account, Amount(Decimal(amount), JPY), None, None, None, None)


def _unmatched(
    line: BankLine,
    key: str,
    meta: dict[str, Any],
    bank: data.Posting,
    reason: str,
    target: Target | None = None,
) -> Proposal:
    entry = data.Transaction(
        meta,
        line.date,
        FLAG_UNMATCHED,
        line.payee or None,
        line.memo,
        frozenset(),
        frozenset(),
        [bank],
    )
    return Proposal(line, key, entry, reason, target)


def _donation_account(chart: Chart, account: str) -> tuple[str, str] | None:
    """Where a donation into ``account`` is credited, and its narration."""
    info = chart.get(account)
    if info is not None and info.role == Role.FUND_ASSET:
        for candidate in chart.with_role(Role.DESIGNATED_DONATION):
            if candidate.fund == info.fund:
                return candidate.name, DESIGNATED
        return None
    donations = chart.with_role(Role.DONATION)
    return (donations[0].name, DONATION) if donations else None


class BankImporter(beangulp.Importer):  # type: ignore[misc]  # untyped base
    """A beangulp importer for one bank layout into one account of the books."""

    def __init__(self, layout: Layout, account: str, rules: Rules) -> None:
        self.layout = layout
        self.account_name = account
        self.rules = rules
        self._read: dict[tuple[str, int, int], Statement] = {}

    @property
    def name(self) -> str:
        """``connect_books.yucho:Assets:…`` (unique per layout and account)."""
        return f"connect_books.{self.layout.id}:{self.account_name}"

    def statement(self, filepath: str) -> Statement:
        """The statement in ``filepath`` (read once per file version).

        Raises:
          StatementRefused: the file is not a statement of this layout.
        """
        stat = os.stat(filepath)
        key = (os.path.abspath(filepath), stat.st_mtime_ns, stat.st_size)
        if key not in self._read:
            self._read = {key: read_statement(Path(filepath), self.layout)}
        return self._read[key]

    def identify(self, filepath: str) -> bool:
        """Whether the file is a statement of this layout (it never raises)."""
        try:
            self.statement(filepath)
        except (StatementRefused, OSError):
            return False
        return True

    def account(self, filepath: str) -> data.Account:
        """The account of the books the statement is of."""
        return self.account_name

    def date(self, filepath: str) -> datetime.date | None:
        """The date of the statement's last line."""
        return self.statement(filepath).last_date

    def filename(self, filepath: str) -> str | None:
        """``yucho.<original name>`` for filing."""
        return f"{self.layout.id}.{Path(filepath).name}"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        """The proposed transactions of the statement (see :func:`propose`)."""
        proposals = propose(
            self.statement(filepath), self.account_name, self.rules, list(existing)
        )
        return [p.entry for p in proposals]

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark the entries whose ``import-key`` the books hold (``__duplicate__``)."""
        known = existing_keys(existing)
        for entry in entries:
            if (entry.meta or {}).get(IMPORT_KEY) in known:
                entry.meta[DUPLICATE] = True
