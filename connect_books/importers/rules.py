"""Rules from a bank line to an entry: ``import/rules.toml``, data the treasurer edits.

Three kinds of rule, each with the ``names`` it looks for in the line's payee and memo
(compared by :func:`~connect_books.importers.text.fold`: width, case, small kana, spaces
and brackets do not matter; a rule matches when one of its names is contained)::

    [[member]]                      # 会費: member: 付きで、年度・未収・前受けを見て計上
    id = "TAGAYASU"                 # 名簿 (members.beancount) の会員ID
    payee = "たがやす"              # 仕訳の取引先 (省略すると名簿の団体名)
    names = ["タガヤス"]            # 振込名 (名簿の団体名は書かなくても照合します)

    [[supporter]]                   # 寄付: supporter: 付き。取引先は ID (氏名は帳簿に書かない)
    id = "C0001"                    # 団体のサポーターだけ。個人は private/ の別ファイルに
    names = ["ミドリノモリ"]

    [[rule]]                        # そのほか: 決まった科目へ
    name = "振込手数料"
    names = ["テスウリヨウ", "手数料"]
    direction = "withdrawal"        # deposit (入金) / withdrawal (出金)。省略するとどちらも
    account = "Expenses:5210-管理費:5215-支払手数料"
    narration = "振込手数料"        # 摘要
    payee = "{bank}"                # 取引先 ({bank} は明細の銀行名。省略すると振込人名)

    [dues]
    advance_from = "03-01"          # この月日以降、その年度を納め終えた会員の入金は翌年度の前受会費

Individual supporters' transfer names are personal data: they are kept with the other
personal data, outside the books and out of git, in ``private/import-supporters.toml``
beside the ledger folder (same ``[[supporter]]`` form), and refused in ``rules.toml``. Members and supporters match
deposits only. When several rules match, the longest name wins; two different rules
with names of the same length leave the line unmatched, as does no match at all.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connect_books.chart import Chart
from connect_books.errors import Refused, did_you_mean
from connect_books.importers.layout import DEPOSIT, WITHDRAWAL
from connect_books.importers.statement import BankLine
from connect_books.importers.text import fold
from connect_books.roster import Roster

RULES_FILE = "rules.toml"
#: Individual supporters' transfer names, relative to the folder holding ``ledger/``
#: (``private/`` is where the project keeps personal data; git ignores it).
PRIVATE_SUPPORTERS = Path("private") / "import-supporters.toml"
MEMBER = "member"
SUPPORTER = "supporter"
RULE = "rule"
_KEYS = {
    MEMBER: {"id", "payee", "names"},
    SUPPORTER: {"id", "names"},
    RULE: {"name", "names", "direction", "account", "payee", "narration"},
}
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
#: The shortest folded name a rule may use (one character would match almost anything).
MIN_NAME = 2


class RulesRefused(Refused):
    """A rules file that cannot be used (the message names the file and the rule)."""


@dataclass(frozen=True)
class Target:
    """What a matched line becomes."""

    kind: str
    #: The member or supporter ID, or the rule's name.
    id: str
    account: str = ""
    payee: str = ""
    narration: str = ""
    #: ``deposit``, ``withdrawal`` or empty (either).
    direction: str = ""

    def applies(self, deposit: bool) -> bool:
        """Whether the target takes a deposit (``True``) or a withdrawal."""
        if self.kind in (MEMBER, SUPPORTER):
            return deposit
        return not self.direction or self.direction == (
            DEPOSIT if deposit else WITHDRAWAL
        )

    @property
    def label(self) -> str:
        """``会員 TAGAYASU`` / ``サポーター C0001`` / ``規則「振込手数料」``."""
        if self.kind == MEMBER:
            return f"会員 {self.id}"
        if self.kind == SUPPORTER:
            return f"サポーター {self.id}"
        return f"規則「{self.id}」"


@dataclass(frozen=True)
class Match:
    """The target of a line, or why it has none (``target`` None, ``reason`` Japanese)."""

    target: Target | None
    reason: str = ""


@dataclass(frozen=True)
class Rules:
    """The rules, ready to match lines."""

    path: Path | None
    names: tuple[tuple[str, Target], ...]
    #: (month, day) from which a member that has paid the year pays the next in advance.
    advance_from: tuple[int, int] = (3, 1)

    def match(self, line: BankLine) -> Match:
        """The target of ``line`` (see the module docstring for the order)."""
        text = fold(line.text)
        hits = [(len(name), target) for name, target in self.names if name in text]
        usable = [
            (size, target) for size, target in hits if target.applies(line.deposit)
        ]
        if not usable:
            if hits:
                labels = "、".join(sorted({t.label for _, t in hits}))
                side = "入金" if line.deposit else "出金"
                return Match(
                    None, f"{labels} に当てはまりますが、{side}には使えない規則です"
                )
            return Match(None, "どの規則にも当てはまりません")
        longest = max(size for size, _ in usable)
        best = {target for size, target in usable if size == longest}
        if len(best) > 1:
            labels = "、".join(sorted(t.label for t in best))
            return Match(None, f"複数の規則 ({labels}) に当てはまります")
        return Match(best.pop())


def load_rules(
    path: Path, roster: Roster, chart: Chart, private: Path | None = None
) -> Rules:
    """Read ``path``, and the individual supporters' file ``private`` if it exists.

    Raises:
      RulesRefused: a file cannot be read, or a rule names an unknown member, supporter
        or account, or an individual supporter's name is in ``rules.toml``.
    """
    raw = _toml(path)
    local = private if private is not None and private.is_file() else None
    local_raw = _toml(local) if local is not None else {}
    read = _Reader(path, roster, chart, local)
    read.known(raw, {"dues", MEMBER, SUPPORTER, RULE}, "")
    read.known(local_raw, {SUPPORTER}, "", local)
    names: list[tuple[str, Target]] = []
    for table in read.tables(raw, MEMBER):
        names.extend(read.member(table))
    for table in read.tables(raw, SUPPORTER):
        names.extend(read.supporter(table, local=False))
    for table in read.tables(local_raw, SUPPORTER, local):
        names.extend(read.supporter(table, local=True))
    for table in read.tables(raw, RULE):
        names.extend(read.rule(table))
    dues = raw.get("dues", {})
    read.known(dues, {"advance_from"}, "[dues] の")
    advance = str(dues.get("advance_from", "03-01"))
    match = _MONTH_DAY.match(advance)
    if not match or not (1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 31):
        raise read.fail(
            f'[dues] の advance_from は "03-01" のように月-日で書いてください ({advance})。'
        )
    return Rules(path, tuple(names), (int(match[1]), int(match[2])))


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"取込の規則 {path} を読めません ({exc.strerror})。--rules で規則のファイルを指定してください。"
        raise RulesRefused(msg) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesRefused(
            f"取込の規則 {path} が TOML として読めません: {exc}"
        ) from exc


class _Reader:
    def __init__(
        self, path: Path, roster: Roster, chart: Chart, private: Path | None
    ) -> None:
        self.path = path
        self.roster = roster
        self.chart = chart
        self.private = private

    def fail(self, message: str, path: Path | None = None) -> RulesRefused:
        return RulesRefused(f"取込の規則 {path or self.path}: {message}")

    def known(
        self,
        table: dict[str, Any],
        keys: set[str],
        where: str,
        path: Path | None = None,
    ) -> None:
        for key in table:
            if key not in keys:
                raise self.fail(
                    f"{where}キー '{key}' は使えません (使えるキー: {', '.join(sorted(keys))})。",
                    path,
                )

    def tables(
        self, raw: dict[str, Any], kind: str, path: Path | None = None
    ) -> list[dict[str, Any]]:
        value = raw.get(kind, [])
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            raise self.fail(f"[[{kind}]] の表として書いてください。", path)
        for table in value:
            self.known(table, _KEYS[kind], f"[[{kind}]] の", path)
        return value

    def text(
        self, table: dict[str, Any], key: str, where: str, required: bool = False
    ) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f'{where} の {key} を文字列 ("…") で書いてください。')
        return value.strip()

    def folded(
        self, table: dict[str, Any], where: str, extra: tuple[str, ...] = ()
    ) -> list[str]:
        value = table.get("names", [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(
                f'{where} の names を文字列の並び (["…"]) で書いてください。'
            )
        names = []
        for name in [*value, *extra]:
            folded = fold(name)
            if len(folded) < MIN_NAME:
                raise self.fail(
                    f"{where} の名前 '{name}' は短すぎます ({MIN_NAME}文字以上)。"
                )
            names.append(folded)
        if not names:
            raise self.fail(f"{where} に names がありません。")
        return list(dict.fromkeys(names))

    def member(self, table: dict[str, Any]) -> list[tuple[str, Target]]:
        member_id = self.text(table, "id", "[[member]]", required=True)
        member = self.roster.members.get(member_id)
        if member is None:
            raise self.fail(
                f"[[member]] の {self.roster.unknown_member_message(member_id)}"
            )
        where = f"[[member]] {member_id}"
        target = Target(
            MEMBER, member_id, payee=self.text(table, "payee", where) or member.name
        )
        return [(name, target) for name in self.folded(table, where, (member.name,))]

    def supporter(
        self, table: dict[str, Any], *, local: bool
    ) -> list[tuple[str, Target]]:
        path = self.private if local else None
        supporter_id = self.text(table, "id", "[[supporter]]", required=True)
        supporter = self.roster.supporters.get(supporter_id)
        if supporter is None:
            raise self.fail(
                f"[[supporter]] のサポーターID '{supporter_id}' は名簿にありません。"
                + did_you_mean(supporter_id, self.roster.supporters),
                path,
            )
        if supporter.kind == "individual" and not local:
            raise self.fail(
                f"[[supporter]] {supporter_id} は個人のサポーターです。個人の振込名は個人情報なので、"
                f"帳簿の外の {PRIVATE_SUPPORTERS} (ledger/ の隣、git に入らない) に同じ形で書いてください。"
            )
        target = Target(SUPPORTER, supporter_id, payee=supporter_id)
        return [
            (name, target)
            for name in self.folded(table, f"[[supporter]] {supporter_id}")
        ]

    def rule(self, table: dict[str, Any]) -> list[tuple[str, Target]]:
        name = self.text(table, "name", "[[rule]]", required=True)
        where = f"[[rule]] {name}"
        account = self.text(table, "account", where, required=True)
        if self.chart.get(account) is None:
            raise self.fail(
                f"{where} の科目 {account} は open されていません。"
                + did_you_mean(account, self.chart.accounts).replace(
                    "近いID", "近い科目"
                )
            )
        direction = self.text(table, "direction", where)
        if direction not in ("", DEPOSIT, WITHDRAWAL):
            raise self.fail(f"{where} の direction は {DEPOSIT} か {WITHDRAWAL} です。")
        target = Target(
            RULE,
            name,
            account=account,
            payee=self.text(table, "payee", where),
            narration=self.text(table, "narration", where) or name,
            direction=direction,
        )
        return [(folded, target) for folded in self.folded(table, where)]
