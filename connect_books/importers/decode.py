"""A statement file's bytes as text: cp932 or UTF-8 (with or without a BOM), or a refusal.

Japanese internet banking writes CSV in cp932 (Windows' Shift_JIS: ``shift_jis`` itself
fails on ①, ㈱, 髙); a file saved again from Excel or a text editor may be UTF-8 with or
without a BOM. Anything else is refused with what it looks like and what to do:
UTF-16 (Excel's "Unicode テキスト"), EUC-JP, an Excel workbook, a PDF, a web page or
other binary data.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from connect_books.errors import Refused

CP932 = "cp932"
UTF8 = "utf-8"
#: The encodings a bank layout may allow.
ENCODINGS = (CP932, UTF8)
#: The largest statement read (a year of a busy account is well below this).
MAX_BYTES = 8 * 1024 * 1024
_NAMES = {CP932: "cp932 (Shift_JIS)", UTF8: "UTF-8"}
_SIGNATURES = (
    (b"PK\x03\x04", "Excel のブック (.xlsx) か ZIP のファイル"),
    (b"\xd0\xcf\x11\xe0", "古い形式の Excel のブック (.xls)"),
    (b"%PDF", "PDF"),
)


class StatementRefused(Refused):
    """A statement file that is not read (wrong encoding, not CSV, changed layout …)."""


@dataclass(frozen=True)
class Decoded:
    """The text of a statement file and the encoding it was read in."""

    text: str
    encoding: str
    #: The file's bytes (to name another encoding when the header is not found).
    raw: bytes


def decode(path: Path, allowed: tuple[str, ...] = ENCODINGS) -> Decoded:
    """Read ``path`` as text in one of the ``allowed`` encodings.

    Raises:
      StatementRefused: the file cannot be read, is not text, or is in another
        encoding; nothing is guessed.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"明細のファイル {path} を読めません ({exc.strerror})。"
        raise StatementRefused(msg) from exc
    if len(raw) > MAX_BYTES:
        msg = (
            f"{path.name} は {len(raw):,} バイトあり、明細の CSV としては大きすぎます"
            f" (上限 {MAX_BYTES:,} バイト)。期間を分けて書き出してください。"
        )
        raise StatementRefused(msg)
    if not raw.strip():
        raise StatementRefused(f"{path.name} は空のファイルです。")
    return decode_bytes(raw, path.name, allowed)


def decode_bytes(raw: bytes, name: str, allowed: tuple[str, ...]) -> Decoded:
    """Decode ``raw`` (the contents of the file ``name``); see :func:`decode`."""
    for signature, what in _SIGNATURES:
        if raw.startswith(signature):
            raise StatementRefused(_not_csv(name, what))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise StatementRefused(_unexpected(name, "UTF-16", allowed))
    if b"\x00" in raw:
        raise StatementRefused(_not_csv(name, "文字ではないデータ (バイナリ)"))
    if raw.startswith(codecs.BOM_UTF8):
        return Decoded(_strict(raw[3:], UTF8, name, allowed), UTF8, raw)
    try:
        text = raw.decode(UTF8)
    except UnicodeDecodeError:
        pass
    else:
        if UTF8 in allowed or text.isascii():
            return Decoded(text, UTF8, raw)
        raise StatementRefused(_unexpected(name, "UTF-8", allowed))
    if CP932 not in allowed:
        raise StatementRefused(_unexpected(name, "UTF-8 以外", allowed))
    return Decoded(_strict(raw, CP932, name, allowed), CP932, raw)


def looks_like_euc_jp(raw: bytes) -> bool:
    """Whether ``raw`` reads as EUC-JP Japanese text (to name that encoding in a refusal)."""
    try:
        text = raw.decode("euc_jp")
    except UnicodeDecodeError:
        return False
    return any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text)


def _strict(raw: bytes, encoding: str, name: str, allowed: tuple[str, ...]) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        found = "EUC-JP" if looks_like_euc_jp(raw) else "不明な文字コード"
        msg = (
            f"{name} の{line}行目が {_NAMES[encoding]} として読めません"
            f" ({found} のようです)。" + _advice(allowed)
        )
        raise StatementRefused(msg) from None


def _unexpected(name: str, found: str, allowed: tuple[str, ...]) -> str:
    return f"{name} の文字コードが {found} です。" + _advice(allowed)


def _advice(allowed: tuple[str, ...]) -> str:
    names = " か ".join(_NAMES[a] for a in allowed)
    return (
        f"この明細は {names} で読みます。銀行のサイトから書き出したままのファイルを使うか、"
        f"表計算ソフトで「CSV」({names}) として保存し直してください (帳簿は変わっていません)。"
    )


def _not_csv(name: str, what: str) -> str:
    return (
        f"{name} は CSV ではなく {what} です。銀行のサイトで明細を「CSV」で書き出して"
        "ください (帳簿は変わっていません)。"
    )
