"""Fava extension for the 監事: the statements, funds, checks and a fund-flow diagram.

Enabled in the books with ``custom "fava-extension" "connect_books.fava_ext"`` (it is on
:data:`connect_books.policy.EXTENSIONS`). Fava finds the extension class here; the pages
render the same report objects as the workbooks (:mod:`connect_books.fava_ext.pages`).
"""

from __future__ import annotations

from connect_books.fava_ext.extension import ConnectBooks

__all__ = ["ConnectBooks"]
