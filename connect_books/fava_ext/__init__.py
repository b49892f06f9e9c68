"""Fava extension: the 監事's statements, funds, checks and fund flows, and the 記帳 page.

Enabled in the books with ``custom "fava-extension" "connect_books.fava_ext"`` (it is on
:data:`connect_books.policy.EXTENSIONS`). Fava finds the extension classes here: the pages
render the same report objects as the workbooks (:mod:`connect_books.fava_ext.pages`), and
the 記帳 page (:mod:`connect_books.fava_ext.entry_page`, treasurer mode only) writes the
everyday entries through the same library as ``connect-books add``.
"""

from __future__ import annotations

from connect_books.fava_ext.entry_page import Kicho
from connect_books.fava_ext.extension import ConnectBooks

__all__ = ["ConnectBooks", "Kicho"]
