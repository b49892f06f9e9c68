"""The chart of accounts: what each account's ``open`` metadata says about it.

The one reader of the statement metadata in ``ledger/accounts.beancount`` (see the README,
§3.3): ``section``, ``line``, ``budget-line``, ``kind``, ``activity``, ``role``, ``bank``,
``branch``, ``detail``, ``fund``.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

_CODE = re.compile(r"^(\d+)-(.+)$")


class Role(enum.StrEnum):
    """What the rules and statements need to know an account for (its ``role:``)."""

    CASH = "cash"
    BANK = "bank"
    FUND_ASSET = "fund-asset"
    DUES_INCOME = "dues-income"
    DUES_RECEIVABLE = "dues-receivable"
    DUES_ADVANCE = "dues-advance"
    DONATION = "donation"
    DESIGNATED_DONATION = "designated-donation"
    GRANT_EXPENSE = "grant-expense"
    FUND_EQUITY = "fund-equity"
    OPENING_EQUITY = "opening-equity"
    GENERAL_EQUITY = "general-equity"
    PAYABLE = "payable"


#: Roles of the accounts holding cash or deposits: each needs a ``balance`` at every
#: month end and at the year end (the passbook, the 残高証明, the cash count).
CASH_ROLES = (Role.CASH, Role.BANK, Role.FUND_ASSET)
#: Roles of the dues accounts (受取会費, 未収会費, 前受会費): every posting names a member.
DUES_ROLES = (Role.DUES_INCOME, Role.DUES_RECEIVABLE, Role.DUES_ADVANCE)


@dataclass(frozen=True)
class AccountInfo:
    """One opened account and its place on the statements."""

    name: str
    opened: datetime.date
    closed: datetime.date | None = None
    section: str = ""
    line: str = ""
    budget_line: str = ""
    kind: str = ""
    activity: int | None = None
    role: Role | None = None
    bank: str = ""
    branch: str = ""
    detail: str = ""
    fund: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def code(self) -> str:
        """The numeric code of the leaf (``4110`` for ``Income:4110-受取会費``)."""
        match = _CODE.match(self.name.rsplit(":", 1)[-1])
        return match.group(1) if match else ""

    @property
    def label(self) -> str:
        """The Japanese name of the leaf (``受取会費``)."""
        leaf = self.name.rsplit(":", 1)[-1]
        match = _CODE.match(leaf)
        return match.group(2) if match else leaf


@dataclass(frozen=True)
class Chart:
    """Every opened account, by name."""

    accounts: dict[str, AccountInfo]

    @classmethod
    def from_entries(cls, entries: Iterable[data.Directive]) -> Chart:
        """Read the chart from ``open`` (and ``close``) directives."""
        accounts: dict[str, AccountInfo] = {}
        closes: dict[str, datetime.date] = {}
        for entry in entries:
            if isinstance(entry, data.Open):
                meta = entry.meta or {}
                activity = meta.get("activity")
                accounts[entry.account] = AccountInfo(
                    name=entry.account,
                    opened=entry.date,
                    section=str(meta.get("section", "")),
                    line=str(meta.get("line", "")),
                    budget_line=str(meta.get("budget-line", "")),
                    kind=str(meta.get("kind", "")),
                    activity=int(activity) if activity is not None else None,
                    role=_role(meta.get("role")),
                    bank=str(meta.get("bank", "")),
                    branch=str(meta.get("branch", "")),
                    detail=str(meta.get("detail", "")),
                    fund=str(meta.get("fund", "")),
                    meta=meta,
                )
            elif isinstance(entry, data.Close):
                closes[entry.account] = entry.date
        for name, day in closes.items():
            if name in accounts:
                info = accounts[name]
                accounts[name] = AccountInfo(**{**info.__dict__, "closed": day})
        return cls(accounts)

    def with_role(self, *roles: Role) -> list[AccountInfo]:
        """Accounts whose ``role`` is one of ``roles``, in code order."""
        return sorted(
            (a for a in self.accounts.values() if a.role in roles), key=lambda a: a.name
        )

    def in_section(self, *sections: str) -> list[AccountInfo]:
        """Accounts in the given statement sections, in code order."""
        return sorted(
            (a for a in self.accounts.values() if a.section in sections),
            key=lambda a: a.name,
        )

    def get(self, name: str) -> AccountInfo | None:
        """The account's information, if it was opened."""
        return self.accounts.get(name)

    def roles(self, *roles: Role) -> dict[str, Role]:
        """Account name → role, for the accounts with one of ``roles`` (all roles if none)."""
        wanted = set(roles or Role)
        return {
            name: info.role
            for name, info in self.accounts.items()
            if info.role is not None and info.role in wanted
        }


def _role(value: Any) -> Role | None:
    """The role named in ``open`` metadata (None when absent or not a known role)."""
    try:
        return Role(value) if value else None
    except ValueError:
        return None


def unknown_role(meta: dict[str, Any]) -> str | None:
    """The ``role:`` of an ``open`` that names no known role (for the hygiene rule)."""
    value = meta.get("role")
    return str(value) if value and _role(value) is None else None
