"""The gate: what the books' files must be before Beancount reads a byte of them.

The books are one closed set of text files in the ledger folder. Before anything is
parsed (and so before Beancount could import a plugin or read an included file),
:func:`inspect` walks the ``include`` lines from the main file and checks, for every file:

* it lies inside the ledger folder (after following symbolic links) and is a regular file;
* it is UTF-8 text without a BOM (a cp932 file, or binary, is named with what to do);
* it holds no control or bidirectional-override characters (they hide text from a reader);
* ``include`` names one file by a plain relative path (no glob), and ``plugin`` and
  ``option`` lines appear only in the main file;
* no metadata is named ``filename`` or ``lineno`` (nor pushed with ``pushmeta``): these
  are where Beancount records each entry's file and line, and a written value replaces
  them, so an entry could pose as another file's (or as none, out of the settlement
  lock's sight);

and that every ``.beancount`` file in the folder is included (an entry in a file nobody
includes would be invisible to the rules, and a stray file is how a half-finished write
shows itself). The plugin and option lines themselves are judged by
:mod:`connect_books.policy`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connect_books.errors import BooksError

#: How many character problems one file reports before it just counts the rest.
MAX_PER_FILE = 20
#: Characters refused anywhere in the books: C0 controls other than tab, line feed and
#: carriage return; DEL; C1 controls; bidirectional marks, embeddings, overrides and
#: isolates; the Unicode line and paragraph separators.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_INCLUDE = re.compile(r"^(\s*)include\b(.*)$")
_INCLUDE_ARG = re.compile(r'^\s+"([^"\\]*)"\s*(;.*)?$')
_GLOBAL = re.compile(r"^\s*(plugin|option)\b")
_GLOB_CHARS = frozenset("*?[")
#: The words that start every line :data:`_INCLUDE` or :data:`_GLOBAL` could match.
_KEYWORDS = ("include", "plugin", "option")
#: Metadata keys Beancount uses for the entry's own place in the books.
_PLACE_KEYS = ("filename", "lineno")
_PLACE_META = re.compile(r"^\s*(?:pushmeta\s+)?(filename|lineno)\s*:")


class GateError(BooksError):
    """A file of the books that cannot be read as part of them."""


@dataclass
class Gate:
    """The files of the books in include order, and what is wrong with them."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    errors: list[BooksError] = field(default_factory=list)
    #: Some file could not be read at all: the books must not be parsed.
    fatal: bool = False
    #: The decoded text of each file, in include order (the main file first).
    texts: dict[Path, str] = field(default_factory=dict)
    #: The files each file includes, as the gate followed them.
    children: dict[Path, list[Path]] = field(default_factory=dict)
    #: Each file's modification time (ns) and size, taken before it was read.
    stamps: dict[Path, tuple[int, int]] = field(default_factory=dict)


def _source(path: Path, line: int) -> dict[str, object]:
    return {"filename": str(path), "lineno": line}


def _char_name(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _decode(path: Path, raw: bytes, gate: Gate) -> str | None:
    """The text of ``raw``, or None after recording why it cannot be read."""
    if raw.startswith(codecs.BOM_UTF8):
        gate.errors.append(
            GateError(
                _source(path, 1),
                f"{path.name} は BOM 付きの UTF-8 で保存されています。"
                "エディタで「UTF-8 (BOM なし)」を選んで保存し直してください。",
                None,
            )
        )
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        try:
            raw.decode("cp932")
        except UnicodeDecodeError:
            hint = (
                "テキストのファイルではないようです。帳簿のフォルダには Beancount の"
                "テキストファイルだけを置いてください。"
            )
        else:
            hint = (
                "Shift_JIS (cp932) で保存されているようです。エディタで"
                "「UTF-8 (BOM なし)」を選んで保存し直してください。"
            )
        gate.errors.append(
            GateError(
                _source(path, line), f"{path.name} は UTF-8 で読めません。{hint}", None
            )
        )
        return None


def forbidden_character(text: str) -> tuple[int, str] | None:
    """The first forbidden character of ``text`` and its line, if any."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1, match.group()


def _lines_at(text: str, starts: list[int]) -> list[tuple[int, str]]:
    """The number and text of the line holding each offset of ``starts`` (ascending).

    Lines are what ``text.split("\n")`` gives, numbered from 1; an offset seen twice on
    one line gives that line once.
    """
    found: list[tuple[int, str]] = []
    number, begin = 1, 0
    for start in starts:
        if start < begin:
            continue
        number += text.count("\n", begin, start)
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        found.append((number, text[begin:end]))
        number, begin = number + 1, end + 1
    return found


def _check_characters(path: Path, text: str, gate: Gate) -> None:
    # One search of the whole text; only the lines with a hit are looked at one by one.
    hits = [match.start() for match in _FORBIDDEN.finditer(text)]
    found = 0
    for number, line in _lines_at(text, hits):
        match = _FORBIDDEN.search(line)
        if match is None:
            continue
        found += 1
        gate.fatal = True
        if found <= MAX_PER_FILE:
            gate.errors.append(
                GateError(
                    _source(path, number),
                    f"制御文字または文字の向きを変える文字 ({_char_name(match.group())})"
                    " があります。画面に見えない文字は帳簿に書けません。"
                    "その文字を消してください。",
                    None,
                )
            )
    if found > MAX_PER_FILE:
        gate.errors.append(
            GateError(
                _source(path, 1),
                f"{path.name} には、ほかに{found - MAX_PER_FILE}行に制御文字があります。",
                None,
            )
        )


def _inside(folder: Path, path: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _candidate_lines(text: str) -> list[int]:
    """Where each line that starts with one of :data:`_KEYWORDS` (after white space)
    begins, in order: the only lines :data:`_INCLUDE` or :data:`_GLOBAL` could match.

    Each word is found with ``str.find`` (a few times faster over megabytes of text than
    one regular expression at every line start); the lines are then looked at one by one.
    """
    starts = set()
    for word in _KEYWORDS:
        at = text.find(word)
        while at >= 0:
            begin = text.rfind("\n", 0, at) + 1
            if begin == at or text[begin:at].isspace():
                starts.add(begin)
            at = text.find(word, at + 1)
    return sorted(starts)


def place_metadata(text: str) -> list[tuple[int, str]]:
    """The lines of ``text`` that write metadata named ``filename`` or ``lineno`` (module
    docstring): (line number, the key), with what to say of each (:func:`place_message`)."""
    starts = set()
    for word in _PLACE_KEYS:
        at = text.find(word)
        while at >= 0:
            starts.add(text.rfind("\n", 0, at) + 1)
            at = text.find(word, at + 1)
    found = []
    for number, line in _lines_at(text, sorted(starts)):
        match = _PLACE_META.match(line)
        if match is not None:
            found.append((number, match.group(1)))
    return found


def place_message(key: str) -> str:
    """Why metadata named ``key`` (``filename``, ``lineno``) cannot be written."""
    return (
        f"メタデータの名前 {key}: は使えません。Beancount が記録のファイルと"
        "行の位置に使う名前で、書くと記録の場所が置き換わります (決算済みの記録の"
        "確認から外れます)。別の名前 (たとえば source-file:) にするか、この行を消してください。"
    )


def _check_place_metadata(path: Path, text: str, gate: Gate) -> None:
    for number, key in place_metadata(text):
        gate.fatal = True
        gate.errors.append(GateError(_source(path, number), place_message(key), None))


def _includes(
    path: Path, text: str, gate: Gate, is_main: bool
) -> list[tuple[int, Path]]:
    """The files ``text`` includes, with their lines; problems go to ``gate``."""
    found = []
    for number, line in _lines_at(text, _candidate_lines(text)):
        if not is_main and _GLOBAL.match(line):
            gate.errors.append(
                GateError(
                    _source(path, number),
                    "plugin 行と option 行は main.beancount にだけ書けます。"
                    "この行を消してください。",
                    None,
                )
            )
            continue
        match = _INCLUDE.match(line)
        if match is None:
            continue
        argument = _INCLUDE_ARG.match(match.group(2))
        if match.group(1) or argument is None:
            gate.errors.append(
                GateError(
                    _source(path, number),
                    'include 行は行頭から include "ファイル名" とだけ書いてください。',
                    None,
                )
            )
            gate.fatal = True
            continue
        name = argument.group(1)
        if _GLOB_CHARS & set(name) or not name:
            gate.errors.append(
                GateError(
                    _source(path, number),
                    f"include '{name}' にワイルドカードは使えません。"
                    "ファイルを一つずつ include してください。",
                    None,
                )
            )
            gate.fatal = True
            continue
        found.append((number, (path.parent / name)))
    return found


def inspect(main: Path, overrides: Mapping[Path, str] | None = None) -> Gate:
    """Check the files of the books that ``main`` includes; see the module docstring.

    Args:
      main: the main file.
      overrides: texts to use instead of what is on disk (absolute, resolved paths): the
        books as a write would leave them. A file given here need not exist yet.
    """
    main = main.absolute()
    given = dict(overrides or {})
    folder = main.parent.resolve()
    gate = Gate(folder)
    queue: list[tuple[Path, Path | None, int]] = [(main, None, 0)]
    seen: set[Path] = set()
    while queue:
        path, parent, line = queue.pop(0)
        where = _source(parent, line) if parent is not None else _source(path, 0)
        resolved = path.resolve()
        if not _inside(folder, resolved):
            gate.errors.append(
                GateError(
                    where,
                    f"include 先 {path} は帳簿のフォルダ ({folder}) の外にあります。"
                    "帳簿のファイルはすべて帳簿のフォルダに置いてください。",
                    None,
                )
            )
            gate.fatal = True
            continue
        if resolved in seen:
            gate.errors.append(
                GateError(where, f"{resolved.name} が二度 include されています。", None)
            )
            continue
        if resolved not in given and not resolved.is_file():
            what = "フォルダです" if resolved.is_dir() else "見つかりません"
            gate.errors.append(
                GateError(
                    where,
                    f"include 先 {path.name} が{what}。ファイル名を確かめてください。",
                    None,
                )
            )
            gate.fatal = True
            continue
        seen.add(resolved)
        gate.files.append(resolved)
        if resolved in given:
            text: str | None = given[resolved]
        else:
            info = resolved.stat()
            gate.stamps[resolved] = (info.st_mtime_ns, info.st_size)
            text = _decode(resolved, resolved.read_bytes(), gate)
        if text is None:
            gate.fatal = True
            continue
        gate.texts[resolved] = text
        _check_characters(resolved, text, gate)
        _check_place_metadata(resolved, text, gate)
        gate.children[resolved] = []
        for number, target in _includes(resolved, text, gate, parent is None):
            gate.children[resolved].append(target.resolve())
            queue.append((target, resolved, number))
    for stray in sorted(folder.rglob("*.beancount")):
        if stray.resolve() not in seen and stray.is_file():
            gate.errors.append(
                GateError(
                    _source(stray, 1),
                    f"{stray.relative_to(folder)} はどこからも include されていません。"
                    "この記録は規則の検証を受けません。main.beancount に include を書くか、"
                    "ファイルを帳簿のフォルダの外へ移してください。",
                    None,
                )
            )
    return gate
