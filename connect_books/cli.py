"""The ``connect-books`` command. Thin: parse arguments, call one library function, render.

Every refusal of the library is a :class:`~connect_books.errors.Refused`; the command group
prints it as ``エラー: …`` and exits 1 (click's usage errors: ``エラー: …``, exit 2). The
commands import the library when they run, so ``connect-books --help`` stays fast.

The group also runs every command the same way (:meth:`JapaneseGroup.main`): Python's
cyclic garbage collector is off for the command (the books are hundreds of thousands of
long-lived tuples; scanning them again and again frees nothing) except for the
long-running ``serve``; on a terminal, long work says what it is doing
(:mod:`connect_books.progress`); and when the command is done, a load that did not come
from the cache is cached, off the command's time (:func:`connect_books.cache.flush`).
The program itself is :func:`run`: it ends the process as soon as the command is done,
without freeing the books object by object (:mod:`connect_books.quickexit`).
"""

from __future__ import annotations

import gc
import importlib
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from connect_books import quickexit
from connect_books.cliparams import ledger_argument, show_errors
from connect_books.errors import Refused

#: Click's own English messages (usage and parameter errors), in Japanese.
_CLICK_MESSAGES = (
    (
        re.compile(r"^Got unexpected extra arguments? \((.*)\)$"),
        "余分な引数 {0} があります。",
    ),
    (re.compile(r"^No such command '(.*)'\.$"), "コマンド '{0}' はありません。"),
    (
        re.compile(r"^(?:File|Path|Directory) '(.*)' is a directory\.$"),
        "'{0}' はフォルダです。",
    ),
    (
        re.compile(r"^(?:File|Path|Directory) '(.*)' is a file\.$"),
        "'{0}' はファイルです。",
    ),
    (
        re.compile(r"^(?:File|Path|Directory) '(.*)' does not exist\.$"),
        "'{0}' がありません。",
    ),
    (
        re.compile(r"^(?:File|Path|Directory) '(.*)' is not readable\.$"),
        "'{0}' を読めません。",
    ),
    (
        re.compile(r"^'(.*)' is not a valid integer(?: range)?\.$"),
        "'{0}' は整数ではありません。",
    ),
    (
        re.compile(r"^(.*) is not in the range (.*)\.$"),
        "{0} は範囲 ({1}) の外です。",
    ),
    (
        re.compile(r"^'(.*)' is not one of (.*)\.$"),
        "'{0}' は使えません (使えるもの: {1})。",
    ),
    (
        re.compile(r"^Option '(.*)' requires an argument\.$"),
        "オプション {0} には値が要ります。",
    ),
    (
        re.compile(r"^Option '(.*)' does not take a value\.$"),
        "オプション {0} は値をとりません。",
    ),
)


#: The words of click's help screens, in Japanese (click asks gettext for them).
_HELP_WORDS = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Show this message and exit.": "この説明を表示して終わります。",
}


def _japanese_help() -> None:
    """Click's help screens say 使い方/オプション/コマンド: its modules' ``_`` (gettext)
    answers these few words in Japanese, anything else as before."""
    import click.core
    import click.decorators
    import click.formatting

    for module in (click.core, click.decorators, click.formatting):
        english = getattr(module, "_", None)
        if english is not None and not getattr(english, "japanese", False):

            def said(text: str, english: Any = english) -> str:
                return _HELP_WORDS.get(text) or str(english(text))

            said.japanese = True  # type: ignore[attr-defined]
            module._ = said  # type: ignore[attr-defined]


_japanese_help()


def _japanese(message: str) -> str:
    """``message`` of click in Japanese when it is one of :data:`_CLICK_MESSAGES`."""
    for pattern, said in _CLICK_MESSAGES:
        match = pattern.match(message)
        if match is not None:
            return said.format(*match.groups())
    return message


def japanese_error(error: click.ClickException) -> str:
    """Click's usage and parameter errors, said in Japanese."""
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "connect-books"
    hint = f" (使い方: {command} --help)"
    if isinstance(error, click.MissingParameter) and error.param is not None:
        name = error.param.get_error_hint(ctx) if ctx is not None else error.param.name
        return f"{name} を指定してください。{hint}"
    if isinstance(error, click.NoSuchOption):
        return f"オプション {error.option_name} はありません。{hint}"
    if isinstance(error, click.BadParameter):
        if error.param is not None and ctx is not None:
            name = error.param.get_error_hint(ctx)
            return f"{name} の値が正しくありません: {_japanese(error.message)}{hint}"
        return f"{_japanese(error.message)}{hint}"
    if isinstance(error, click.UsageError):
        return f"{_japanese(error.message)}{hint}"
    return error.format_message()


#: What each command does, for the progress lines: (its name, its main step).
WORK = {
    "check": ("帳簿の検証", "検証しています"),
    "report": ("計算書", "計算書を作っています"),
    "board-pack": ("運営委員会資料", "資料を作っています"),
    "audit-pack": ("監査資料", "資料を作っています"),
    "close-year": ("決算の記録", "決算を計算しています"),
    "verify": ("決算の照合", "照合しています"),
    "query": ("問い合わせ", "帳簿を読んでいます"),
    "import": ("明細の取り込み", "取り込んでいます"),
    "add": ("記帳", "記帳しています"),
    "balance": ("残高の記録", "記録しています"),
    "dues": ("会費", "処理しています"),
    "receipt": ("受領証", "作っています"),
    "depreciation": ("減価償却", "計算しています"),
}
#: Commands that keep running (a server): the garbage collector stays on for them.
LONG_RUNNING = frozenset({"serve"})


def _command_name(args: Sequence[str] | None) -> str:
    """The subcommand named by the command line (``""`` if none)."""
    argv = list(args) if args is not None else sys.argv[1:]
    return next((arg for arg in argv if not arg.startswith("-")), "")


@contextmanager
def running(name: str) -> Iterator[None]:
    """Run the command ``name``: garbage collector off, progress on a terminal, and the
    load cached when it is done (a server, which keeps running, does none of this)."""
    from connect_books import cache, progress

    if name in LONG_RUNNING:
        quickexit.release()
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    label, step = WORK.get(name, (name or "connect-books", "処理しています"))
    try:
        with cache.collecting(), progress.operation(label, step):
            yield
    finally:
        if enabled:
            gc.enable()
        cache.flush()


#: The commands defined in modules of their own, imported only when one of them runs
#: (or ``--help`` lists them): name → ``module:attribute``.
LAZY_COMMANDS = {
    "close-year": "connect_books.cmd_close:close_year",
    "verify": "connect_books.cmd_close:verify",
    "board-pack": "connect_books.cmd_packs:board_pack",
    "audit-pack": "connect_books.cmd_packs:audit_pack",
    "report": "connect_books.cmd_report:report",
    "add": "connect_books.cmd_add:add",
    "balance": "connect_books.cmd_add:balance",
    "dues": "connect_books.cmd_dues:dues",
    "receipt": "connect_books.cmd_receipt:receipt",
    "depreciation": "connect_books.cmd_depreciation:depreciation",
    "import": "connect_books.cmd_import:import_statement",
    "auditor-user": "connect_books.cmd_auditor:auditor_user",
    "query": "connect_books.cmd_query:query",
}


class JapaneseGroup(click.Group):
    """The command group: every error a person sees is in Japanese (``エラー: …``).

    The commands of :data:`LAZY_COMMANDS` are imported when asked for, so a command
    loads only its own module.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *LAZY_COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in LAZY_COMMANDS:
            module, _, attribute = LAZY_COMMANDS[cmd_name].partition(":")
            found = getattr(importlib.import_module(module), attribute)
            assert isinstance(found, click.Command) and found.name == cmd_name
            self.add_command(found)
        return found

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            with running(_command_name(args[0] if args else kwargs.get("args"))):
                result = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("中止しました。", err=True)
            sys.exit(1)
        except click.ClickException as error:
            click.echo(f"エラー: {japanese_error(error)}", err=True)
            sys.exit(error.exit_code)
        except Refused as refusal:
            click.echo(f"エラー: {refusal}", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def run() -> None:
    """The ``connect-books`` program: the command group, then the process ends at once
    (:func:`connect_books.quickexit.run`)."""
    quickexit.run(main)


@click.group(
    cls=JapaneseGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
def main() -> None:
    """生活クラブ社会的連帯経済コネクト機構の会計帳簿 (connect-books)。"""


@main.command()
@ledger_argument
def check(ledger: str | None) -> None:
    """帳簿を検証する (Beancount の検証とすべての規則プラグイン)。"""
    from connect_books.books import load

    books = load(ledger)
    show_errors(books.errors)
    count = len(books.errors)
    if count:
        raise Refused(
            f"帳簿に{count}件のエラーがあります。上の 'ファイル:行' を直してから、"
            "もう一度 check してください。"
        )
    if not sum(books.counts.values()):
        raise Refused(
            f"帳簿 {books.path} に記録がありません。ファイルが空か、途中で切れていないか確かめてください。"
        )
    transactions = books.counts.get("Transaction", 0)
    click.echo(f"✓ エラーはありません ({books.path.name}: 取引 {transactions}件)。")


@main.command()
@ledger_argument
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="待ち受けるアドレス"
)
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="ポート番号 (1〜65535)",
)
@click.option("--auditor", is_flag=True, help="監事用: 読み取り専用で開く")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="--auditor のとき、外から届くアドレスでの公開を認める (ログインが必要になる)",
)
@click.option(
    "--users",
    "users_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="監事のユーザーのファイル (既定: ~/.config/connect-books/auditors)",
)
@click.option(
    "--public-url",
    metavar="URL",
    help="--auditor のとき、前に置いた TLS のリバースプロキシの URL (https://…、ログインが必要になる)",
)
def serve(
    ledger: str | None,
    host: str,
    port: int,
    auditor: bool,
    allow_remote: bool,
    users_file: Path | None,
    public_url: str | None,
) -> None:
    """Fava で帳簿を開く (既定は 127.0.0.1、--auditor で読み取り専用)。"""
    from connect_books.books import existing_ledger
    from connect_books.serve import is_loopback, make_app, run

    path = existing_ledger(ledger)  # Fava loads the books itself, the trusted way
    app = make_app(
        path,
        host=host,
        auditor=auditor,
        allow_remote=allow_remote,
        users_file=users_file,
        public_url=public_url,
    )
    shown = f"[{host}]" if ":" in host else host
    mode = "監事用 (読み取り専用)" if auditor else "会計担当用"
    where = public_url or f"http://{shown}:{port}/"
    click.echo(f"Fava を {mode} で起動します: {where}  (終了は Ctrl-C)")
    if public_url:
        click.echo(f"  プロキシの転送先: http://{shown}:{port}/")
    elif not is_loopback(host):
        click.echo(
            "  注意: http なので、パスワードと帳簿の中身は暗号化されずにネットワークを通ります。"
            "信頼できる構内のネットワークだけで使い、外には TLS のプロキシ (--public-url) を通してください。",
            err=True,
        )
    try:
        run(app, host, port)
    except OSError as exc:
        raise Refused(
            f"{shown}:{port} で待ち受けられません ({exc.strerror})。ほかのプログラムが"
            "このポートを使っていないか確かめるか、--port で別の番号を指定してください。"
        ) from None
