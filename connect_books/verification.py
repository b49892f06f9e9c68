"""``connect-books verify``: do the books still hold what the 総会 approved?

The 監事 keep the settlement's fingerprint on paper (the audit pack and the 監査報告書
print it). :func:`verify_settlement` recomputes it from the books as they are now: the
recorded approval, the previous year's fingerprint and the digest of every entry dated in
the 年度. It agrees with the paper only if nothing of the settled year has changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connect_books.books import Books
from connect_books.digest import year_records
from connect_books.errors import Refused
from connect_books.fiscal import FiscalYear, jdate
from connect_books.money import yen_text
from connect_books.settlement import read_settlements, seal

#: The shortest prefix of a fingerprint accepted from paper.
MIN_PREFIX = 16


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
    if settlement is None:
        raise Refused(
            f"帳簿に{year.label}の決算の記録がありません。記録が消されていないか確かめてください。"
        )
    record = year_records(books.entries, [year], books.options)[year]
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
        f"  印刷された指紋    {wanted}",
        f"  帳簿から計算した指紋 {current}",
        f"  承認された次期繰越正味財産 {yen_text(settlement.carry_forward)}",
    ]
    if agrees:
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
