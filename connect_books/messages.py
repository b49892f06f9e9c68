"""Beancount's own error messages, said in Japanese with what to do next.

Beancount reports a syntax or validation problem in English (``Invalid token: '１０'``,
``Transaction does not balance: (1 JPY)``). :func:`japanese` turns the ones a treasurer
meets into a Japanese sentence that names the problem and the fix; the original text
follows in brackets so that nothing is lost. Messages already in Japanese (our rules')
pass through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_Match = re.Match[str]


def _token(m: _Match) -> str:
    token = m.group(1)
    if re.search(r"[０-９，．－]", token):
        return (
            f"全角の数字や記号 '{token}' は読めません。金額や日付は半角の数字で書いてください"
            " (例: 10000 JPY)。"
        )
    if token.startswith('"'):
        return '引用符 (") が閉じられていません。摘要や取引先の文字列は同じ行の中で " で閉じてください。'
    return f"'{token}' は読めない語です。書式 (§6) を確かめてください。"


def _date(m: _Match) -> str:
    return f"存在しない日付です ({m.group(1)})。カレンダーにある日付を YYYY-MM-DD で書いてください。"


def _unknown_account(m: _Match) -> str:
    return (
        f"科目 {m.group(1)} は開かれていません (open がありません)。"
        "accounts.beancount の科目名を確かめるか、open を書いてください。"
    )


def _inactive_account(m: _Match) -> str:
    return (
        f"科目 {m.group(1)} は、この日付には使えません (open の前か close の後です)。"
        "日付か科目を確かめてください。"
    )


def _unbalanced(m: _Match) -> str:
    return (
        f"借方と貸方が一致しません (差額 {m.group(1)})。"
        "金額を確かめて、行の合計が 0 になるようにしてください。"
    )


def _balance(m: _Match) -> str:
    account, expected, actual, diff, direction = m.groups()
    side = "多すぎます" if direction == "much" else "足りません"
    return (
        f"残高の確認が合いません: {account} は {expected} のはずですが、帳簿では {actual} です"
        f" ({diff} {side})。通帳・現金と照らして、記帳漏れや金額の誤りを探してください。"
    )


def _missing_file(m: _Match) -> str:
    return f"ファイル {m.group(1)} が見つかりません。include のファイル名を確かめてください。"


_RULES: tuple[tuple[re.Pattern[str], Callable[[_Match], str]], ...] = (
    (re.compile(r"^Invalid token: '(.*)'$"), _token),
    (re.compile(r"^ValueError: (.*(?:day|month|year).*)$"), _date),
    (re.compile(r"^Invalid reference to unknown account '(.*)'$"), _unknown_account),
    (re.compile(r"^Invalid reference to inactive account '(.*)'$"), _inactive_account),
    (re.compile(r"^Transaction does not balance: \((.*)\)$"), _unbalanced),
    (
        re.compile(
            r"^Balance failed for '(.*)': expected (.*) != accumulated (.*) \((\S+) too (much|little)\)$"
        ),
        _balance,
    ),
    (re.compile(r'^File "(.*)" does not exist$'), _missing_file),
    (
        re.compile(r'^File does not exist: "(.*)"$'),
        lambda m: (
            f"証憑のファイル {m.group(1)} がありません。ledger/documents/ に置くか、"
            "document の行のファイル名を直してください。"
        ),
    ),
    (
        re.compile(r"^Too many strings on transaction description"),
        lambda m: (
            '取引の行に文字列が多すぎます。日付 * "取引先" "摘要" の形で書いてください。'
        ),
    ),
    (
        re.compile(r"^You may not have more than one auto-posting per currency"),
        lambda m: "金額を省略できる行は一つだけです。ほかの行に金額を書いてください。",
    ),
    (
        re.compile(r"^Duplicate open directive for (.*)$"),
        lambda m: f"科目 {m.group(1)} の open が二つあります。一つを消してください。",
    ),
    (
        re.compile(r"^Unopened account (.*) is being closed$"),
        lambda m: f"開かれていない科目 {m.group(1)} を close しています。",
    ),
    (
        re.compile(r"^Unused Pad entry"),
        lambda m: (
            "pad のあとに balance がなく、埋める差額がありません。"
            "pad の次に、その科目の balance (開始残高) を書いてください。"
        ),
    ),
    (
        re.compile(r"^Invalid option: '(.*)'$"),
        lambda m: (
            f"option '{m.group(1)}' は Beancount にありません。綴りを確かめるか、この行を消してください。"
        ),
    ),
    (
        re.compile(r"^Duplicate metadata field on entry: KeyValue\(key='([^']*)'"),
        lambda m: (
            f"同じ記録にメタデータ {m.group(1)}: が二度書かれています。一つにしてください。"
        ),
    ),
    (
        re.compile(r"^syntax error, (.*)$"),
        lambda m: (
            "書式の誤りです。行の形 (日付・種類・引用符・字下げ) を確かめてください。"
        ),
    ),
)


def japanese(message: str) -> str:
    """``message`` in Japanese when it is one of Beancount's known messages."""
    text = " ".join(str(message).split())
    for pattern, say in _RULES:
        match = pattern.match(text)
        if match is not None:
            return f"{say(match)} [{text}]"
    return str(message)


def translated(error: Any) -> Any:
    """``error`` with its message in Japanese (a NamedTuple error is replaced, not changed)."""
    message = japanese(error.message)
    if message == error.message or not hasattr(error, "_replace"):
        return error
    return error._replace(message=message)
