"""``connect-books query``: bean-query's language on the books as the rules load them.

Plain ``bean-query`` loads the books with Beancount's own loader, which obeys what the
books say: an ``option "insert_pythonpath"`` and a ``plugin`` line make it import Python
from the ledger folder (and a package there named like the rules replaces them). This
command runs the same shell (:class:`beanquery.shell.BQLShell`, the same queries, the
same output) on the entries of the trusted load (:func:`connect_books.books.load`: the
gate, the rules from the code, never a byte of code from the books), so a 監事 can
reproduce any figure from books they did not write.
"""

from __future__ import annotations

import sys
from typing import IO, Any

import click

from connect_books.cliparams import load_books


def _shell(ledger: str, output: IO[str], interactive: bool, fmt: str) -> Any:
    """beanquery's shell, whose (re)load is the trusted load of ``ledger``."""
    from beanquery import shell
    from beanquery.sources import beancount as source

    class TrustedShell(shell.BQLShell):  # type: ignore[misc]
        def do_reload(self, arg: str | None = None) -> None:
            """Load the books again (as connect-books check does)."""
            books = load_books(ledger, clean=False)
            self.context.errors.clear()
            self.context.options.clear()
            source.attach(
                self.context,
                "beancount:",
                entries=books.entries,
                errors=books.errors,
                options=books.options,
            )
            self._extract_queries(books.entries)
            if self.interactive:
                shell.print_statistics(
                    books.entries, books.options, books.errors, self.outfile
                )

    return TrustedShell("", output, interactive, True, fmt, False, False)


@click.command("query")
@click.argument("ledger", type=click.Path())
@click.argument("query", nargs=-1)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
    help="出力の形式",
)
def query(ledger: str, query: tuple[str, ...], fmt: str) -> None:
    """帳簿に bean-query と同じ問い合わせ (BQL) をする。帳簿のコードは実行しない。

    LEDGER は main.beancount かそのフォルダ。QUERY を書かないと、端末では対話で、
    そうでなければ標準入力から読みます。例:

      connect-books query ledger "SELECT account, sum(position) WHERE year = 2025 GROUP BY account"

    bean-query は帳簿に書かれた option・plugin に従って帳簿のフォルダの Python を
    実行することがあります。自分で書いていない帳簿はこちらで確かめてください。
    """
    interactive = sys.stdin.isatty() and not query
    shell = _shell(ledger, sys.stdout, interactive, fmt)
    if interactive:
        shell.cmdloop()
    else:
        shell.onecmd(" ".join(query) if query else sys.stdin.read())
