"""``connect-books verify``: do the books still hold what the 監事 audited and the 総会 approved?

Two fingerprints go on paper (:func:`seal_for`, printed by the audit pack and its
監査報告書):

* before the settlement is recorded, the *records' fingerprint*: the SHA-256 of the
  year's entries list (one ``DATE DIGEST`` per entry), what the 監事 audited;
* once ``close-year`` has recorded it, the *settlement's fingerprint*, which also seals
  the approval (date, body, audit date, carry-forward, reason) and the previous year's.

:func:`verify_settlement` recomputes both from the books as they are now and says which,
if either, the paper matches. A match is not enough when the books say a settled year no
longer holds (the settlement rule's errors: an entry added or changed, a carry-forward
that differs, a settlement record rewritten, a broken chain) or cannot be read whole (the
gate's errors): the answer is then ✗, with those errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connect_books.books import Books, format_error
from connect_books.digest import fingerprint, year_records
from connect_books.errors import Refused
from connect_books.fiscal import FiscalYear, jdate
from connect_books.money import yen_text
from connect_books.settlement import read_settlements, seal

#: The shortest prefix of a fingerprint accepted from paper.
MIN_PREFIX = 16


@dataclass(frozen=True)
class Seal:
    """The fingerprint to print for a 年度, what it covers, and how to check it later."""

    label: str
    value: str
    notes: tuple[str, ...]


def seal_for(books: Books, year: FiscalYear) -> Seal:
    """The fingerprint the audit pack prints for ``year`` (see the module docstring)."""
    settled, _ = read_settlements(books.entries)
    settlement = settled.get(year)
    if settlement is not None:
        notes = [
            f"{jdate(settlement.date)} {settlement.body}承認、次期繰越正味財産"
            f" {yen_text(settlement.carry_forward)}"
            + (f"、監査日 {jdate(settlement.audited)}" if settlement.audited else "")
            + "。",
        ]
        if settlement.reason:
            notes.append(f"定款どおりでない承認の理由: {settlement.reason}")
        notes.append(
            f"connect-books verify {year.year} <この指紋> で、帳簿が承認どおりかを確かめられます。"
        )
        return Seal("決算の指紋 (fingerprint)", settlement.fingerprint, tuple(notes))
    lines = sorted(year_records(books.entries, [year], books.options)[year].lines)
    return Seal(
        "監査した記録の指紋",
        fingerprint(lines),
        (
            f"{year.label}の記録 {len(lines)}件の指紋です (決算の記録はまだありません)。",
            f"connect-books verify {year.year} <この指紋> で、監査のときの記録のままかを確かめられます。",
        ),
    )


@dataclass(frozen=True)
class Verification:
    """The outcome, as lines for a person, and whether everything agreed."""

    ok: bool
    lines: tuple[str, ...]


def _normalised(text: str) -> str:
    cleaned = re.sub(r"[\s\-ー－:]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]+", cleaned) or not MIN_PREFIX <= len(cleaned) <= 64:
        raise Refused(
            f"指紋 '{text}' が読めません。監査資料に印刷された 64 桁の英数字"
            f" (先頭 {MIN_PREFIX} 桁以上) を書いてください。"
        )
    return cleaned


def verify_settlement(books: Books, year: FiscalYear, paper: str) -> Verification:
    """Compare the fingerprint on paper with the books as they are now.

    Raises:
      Refused: the fingerprint cannot be read, or the 年度 has no settlement in the books.
    """
    wanted = _normalised(paper)
    settled, _ = read_settlements(books.entries)
    settlement = settled.get(year)
    record = year_records(books.entries, [year], books.options)[year]
    audited = fingerprint(sorted(record.lines))
    problems = _problems(books)
    if audited.startswith(wanted):  # the records' fingerprint, printed at the audit
        lines = [
            f"{'✗' if problems else '✓'} {year.label}の記録は監査した記録の指紋と一致します"
            f" ({len(record.lines)}件)。",
            f"  帳簿から計算した指紋 {audited}",
        ]
        if problems:
            return Verification(False, tuple(lines + _problem_lines(problems)))
        return Verification(True, (*lines, "帳簿は監査したときのままです。"))
    if settlement is None:
        raise Refused(
            f"帳簿に{year.label}の決算の記録がなく、指紋は監査した記録の指紋とも一致しません。"
            "記録が変わったか、決算の記録が消されていないか確かめてください。"
        )
    current = seal(
        year,
        settlement.date,
        settlement.body,
        settlement.audited,
        settlement.carry_forward,
        settlement.previous,
        settlement.reason,
        "\n".join(sorted(record.lines)),
    )
    same_entries = "\n".join(sorted(record.lines)) == settlement.recorded_text
    agrees = current.startswith(wanted) and settlement.fingerprint.startswith(wanted)
    mark = "✓" if agrees else "✗"
    lines = [
        f"{mark} {year.label}の決算 ({jdate(settlement.date)} {settlement.body}承認)",
        f"  印刷された指紋       {wanted}",
        f"  帳簿から計算した指紋 {current}",
        f"  承認された次期繰越正味財産 {yen_text(settlement.carry_forward)}",
    ]
    if agrees and problems:
        lines[0] = lines[0].replace("✓", "✗", 1)
        lines.extend(_problem_lines(problems))
        agrees = False
    elif agrees:
        lines.append("帳簿は承認されたとおりです。")
    elif not same_entries:
        lines.append(
            f"{year.label}の記録が承認後に変わっています。connect-books check で変わった行を確かめてください。"
        )
    elif settlement.fingerprint != current:
        lines.append(
            "決算の記録 (承認日・承認機関・監査日・次期繰越など) が書き換えられています。"
        )
    else:
        lines.append(
            "帳簿の決算の記録は、この指紋とは別のものです。印刷された指紋の写し間違いか、"
            "決算の記録が差し替えられています。"
        )
    return Verification(agrees, tuple(lines))


def _problems(books: Books) -> list[Any]:
    """The books' errors that say a settled 年度 does not hold as approved, or that the
    books could not be read whole (module docstring)."""
    from connect_books.gate import GateError
    from connect_books.plugins.settlement import SettlementError, SettlementOverdue

    return [
        error
        for error in books.errors
        if isinstance(error, GateError)
        or (
            isinstance(error, SettlementError)
            and not isinstance(error, SettlementOverdue)
        )
    ]


def _problem_lines(problems: list[Any]) -> list[str]:
    return [
        f"指紋は一致しますが、帳簿は決算の確認でエラーになります ({len(problems)}件)。"
        "帳簿は承認されたとおりではありません:",
        *(f"  {format_error(error)}" for error in problems),
    ]
