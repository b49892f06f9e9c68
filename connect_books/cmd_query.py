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
from pathlib import Path
from typing import IO, Any

import click

from connect_books.cliparams import load_books


def _shell(ledger: str | None, output: IO[str], interactive: bool, fmt: str) -> Any:
    """beanquery's shell, whose (re)load is the trusted load of ``ledger``."""
    from beanquery import shell
    from beanquery.sources import beancount as source

    from connect_books.policy import refused_query

    class TrustedShell(shell.BQLShell):  # type: ignore[misc]
        def parse(self, line: str, *args: Any, **kwargs: Any) -> Any:
            """Only statements that read the books (no CREATE TABLE of a file)."""
            refusal = refused_query(line)
            if refusal is not None:
                raise click.ClickException(refusal)
            return super().parse(line, *args, **kwargs)

        def do_reload(self, arg: str | None = None) -> None:
            """Load the books again (as connect-books check does)."""
            books = load_books(ledger, clean=False)
            if books.errors:  # (the answers are the books' as they are: said so)
                click.echo(
                    f"注意: 帳簿に {len(books.errors)}件のエラーがあります (connect-books"
                    " check で確認してください)。答えはエラーのある帳簿のままの数字です。",
                    err=True,
                )
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
@click.argument("arguments", nargs=-1, metavar="[LEDGER] [QUERY]...")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
    help="出力の形式",
)
def query(arguments: tuple[str, ...], fmt: str) -> None:
    """帳簿に bean-query と同じ問い合わせ (BQL) をする。帳簿のコードは実行しない。

    LEDGER は main.beancount かそのフォルダ (省くと $CONNECT_BOOKS_LEDGER、なければ
    ledger/main.beancount)。QUERY を書かないと、端末では対話で、そうでなければ標準入力
    から読みます。例:

      connect-books query ledger "SELECT account, sum(position) WHERE year = 2025 GROUP BY account"

    bean-query は帳簿に書かれた option・plugin に従って帳簿のフォルダの Python を
    実行することがあります。自分で書いていない帳簿はこちらで確かめてください。
    """
    ledger: str | None = None
    words = list(arguments)
    if words and Path(words[0]).exists():  # (a query is never a file's name)
        ledger = words.pop(0)
    interactive = sys.stdin.isatty() and not words
    shell = _shell(ledger, sys.stdout, interactive, fmt)
    if interactive:
        shell.cmdloop()
    else:
        shell.onecmd(" ".join(words) if words else sys.stdin.read())
