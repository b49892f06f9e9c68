"""会費請求書: one A4 invoice per member organisation that owes dues for a 年度.

The figures are the dues roll's (:func:`~connect_books.reports.subledgers.dues_lines`):
会費額, 入金済み and ご請求額 (= 未収) of the member for the 年度, as of the issue date. The
member's name is the roster's; the bank details are the ``open`` metadata of the
``bank`` accounts (``bank``, ``branch``, and ``account-number`` / ``holder`` only if the
books hold them: the sample books do not, and the invoice then says to ask). The
invoice number is ``D<年度>-<the member's place in the roster>``, the same every time
the invoice is made again.

Written as an Excel workbook (openpyxl, like every document of the project): the
treasurer can print it, or add a note before printing; ``libreoffice --convert-to pdf``
makes a PDF of it.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from connect_books import ORGANISATION
from connect_books.chart import Role
from connect_books.fiscal import FiscalYear, jdate
from connect_books.reports.index import Index
from connect_books.reports.slip import BOX, COLUMNS, Slip
from connect_books.reports.subledgers import dues_lines
from connect_books.roster import Member

TITLE = "会費請求書"


@dataclass(frozen=True)
class BankDetail:
    """Where to pay: bank, branch and kind of account (number and holder if recorded)."""

    bank: str
    branch: str
    kind: str
    number: str = ""
    holder: str = ""

    @property
    def line(self) -> str:
        """``中央労働金庫 世田谷支店 普通預金`` (with the number when recorded)."""
        parts = [self.bank, self.branch, self.kind, self.number]
        text = " ".join(p for p in parts if p)
        return f"{text}  口座名義: {self.holder}" if self.holder else text


@dataclass(frozen=True)
class Invoice:
    """One member's 会費請求書 for one 年度."""

    number: str
    member: Member
    year: FiscalYear
    issued: datetime.date
    due_date: datetime.date
    due: int
    paid: int
    banks: tuple[BankDetail, ...]

    @property
    def amount(self) -> int:
        """ご請求額: dues not yet paid."""
        return self.due - self.paid

    @property
    def filename(self) -> str:
        """``2026年度_会費請求書_D2026-16_CS-MACHIDESIGN.xlsx``."""
        return f"{self.year.label}_{TITLE}_{self.number}_{self.member.id}.xlsx"


def bank_details(idx: Index) -> tuple[BankDetail, ...]:
    """The books' bank accounts as an invoice prints them (never a guessed number)."""
    details = []
    for info in idx.chart.with_role(Role.BANK):
        kind = info.label.split("-", 1)[0] if "預金" in info.label else "預金"
        details.append(
            BankDetail(
                info.bank or info.label,
                info.branch,
                kind,
                str(info.meta.get("account-number", "")),
                str(info.meta.get("holder", "")),
            )
        )
    return tuple(details)


def invoices(
    idx: Index,
    year: FiscalYear,
    issued: datetime.date,
    due_date: datetime.date | None = None,
) -> list[Invoice]:
    """An invoice for every member owing dues for ``year`` as of ``issued``."""
    order = {member_id: n for n, member_id in enumerate(idx.roster.members, start=1)}
    banks = bank_details(idx)
    due_by = due_date or issued + datetime.timedelta(days=30)
    return [
        Invoice(
            number=f"D{year.year}-{order[line.member.id]:02d}",
            member=line.member,
            year=year,
            issued=issued,
            due_date=due_by,
            due=line.due,
            paid=line.paid,
            banks=banks,
        )
        for line in dues_lines(idx, [year], issued)
        if line.outstanding > 0
    ]


def write_invoice(invoice: Invoice, path: str | os.PathLike[str]) -> Path:
    """Write one invoice as an A4 workbook at ``path`` (atomically)."""
    slip = Slip(
        f"{TITLE} {invoice.number}",
        f"{invoice.year.label} {TITLE}",
        f"{ORGANISATION} {TITLE} {invoice.number}",
    )
    last = COLUMNS
    slip.text(1, 4, "請求書番号", align="right")
    slip.text(1, 5, invoice.number, align="right", to_column=last)
    slip.text(2, 4, "発行日", align="right")
    slip.date(2, 5, invoice.issued, align="right", to_column=last)
    slip.text(4, 1, TITLE, size=20, bold=True, align="center", to_column=last)
    slip.height(4, 36)
    slip.text(6, 1, f"{invoice.member.name} 御中", size=13, to_column=4)
    slip.underline(6, 1, 4)
    slip.height(6, 30)
    slip.text(8, 4, ORGANISATION, to_column=last)
    slip.text(9, 4, "会計担当", to_column=last)
    slip.text(
        11,
        1,
        f"下記のとおり、{invoice.year.label}の会費をご請求申し上げます"
        " (定款第7条・附則2)。",
        to_column=last,
    )
    slip.text(13, 1, "ご請求金額", size=12, bold=True, to_column=2, border=BOX)
    slip.yen(13, 3, invoice.amount, size=16, bold=True, border=BOX)
    slip.text(13, 4, "円", size=12, bold=True)
    slip.height(13, 30)
    slip.text(14, 1, "お支払期限", to_column=2, border=BOX)
    slip.text(14, 3, jdate(invoice.due_date), to_column=4, border=BOX)

    slip.text(16, 1, "摘要", bold=True, align="center", to_column=2, border=BOX)
    slip.text(16, 3, "金額 (円)", bold=True, align="center", border=BOX)
    slip.text(17, 1, f"{invoice.year.label} 年会費", to_column=2, border=BOX)
    slip.yen(17, 3, invoice.due, border=BOX)
    row = 18
    if invoice.paid:
        slip.text(row, 1, "入金済み (差し引き)", to_column=2, border=BOX)
        slip.yen(row, 3, -invoice.paid, border=BOX)
        row += 1
    slip.text(row, 1, "ご請求額", bold=True, to_column=2, border=BOX)
    slip.yen(row, 3, invoice.amount, bold=True, border=BOX)

    row += 2
    slip.text(row, 1, "お振込先", bold=True, to_column=2)
    for bank in invoice.banks:
        row += 1
        slip.text(row, 2, bank.line, to_column=last)
    if not any(bank.number for bank in invoice.banks):
        row += 1
        slip.text(
            row,
            2,
            "口座番号・口座名義は会計担当にお問い合わせください。",
            to_column=last,
        )
    row += 2
    slip.text(
        row,
        1,
        "お振込の際は、振込依頼人名に貴団体名をご記入ください。"
        "行き違いでお振込済みの場合は、ご容赦ください。",
        size=9,
        to_column=last,
    )
    slip.height(row, 28)
    return slip.save(path)
