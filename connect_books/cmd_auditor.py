"""``connect-books auditor-user``: the 監事 who may log in to ``serve --auditor``. Thin.

The password is asked for (twice, not shown); it is never a command-line argument, so it
never lands in the shell history or the process list. See :mod:`connect_books.auth`.
"""

from __future__ import annotations

from pathlib import Path

import click

from connect_books.cliparams import ledger_argument

_USERS = click.option(
    "--users",
    "users_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="ユーザーのファイル (既定: $CONNECT_BOOKS_AUDITORS か ~/.config/connect-books/auditors)",
)


def _path(users_file: Path | None, ledger: str | None) -> Path:
    from connect_books import auth
    from connect_books.books import ledger_path

    path = users_file if users_file is not None else auth.default_users_file()
    books = ledger_path(ledger)
    auth.check_location(path, books if books.is_dir() else books.parent)
    return path


@click.group("auditor-user")
def auditor_user() -> None:
    """監事のログイン用ユーザーを管理する (serve --auditor を外に公開するとき)。"""


@auditor_user.command("add")
@click.argument("name")
@_USERS
@ledger_argument
def add(name: str, users_file: Path | None, ledger: str | None) -> None:
    """ユーザー NAME を作る (パスワードは入力を求めます。すでにあれば変更)。"""
    from connect_books import auth

    auth.check_name(name)
    path = _path(users_file, ledger)
    users = auth.read_users(path)
    password = click.prompt(
        f"{name} のパスワード ({auth.MIN_PASSWORD}文字以上)", hide_input=True, err=True
    )
    auth.check_password(password)
    again = click.prompt("確認のためもう一度", hide_input=True, err=True)
    if again != password:
        raise auth.AuthRefused(
            "二回入力したパスワードが違います。もう一度やり直してください (何も変えていません)。"
        )
    changed = name in users
    users[name] = auth.hash_password(password)
    auth.write_users(path, users)
    what = "のパスワードを変更しました" if changed else "を作りました"
    click.echo(
        f"✓ 監事のユーザー {name} {what} ({path})。起動中のサーバーにもすぐ効きます。"
    )


@auditor_user.command("remove")
@click.argument("name")
@_USERS
@ledger_argument
def remove(name: str, users_file: Path | None, ledger: str | None) -> None:
    """ユーザー NAME を消す (起動中のサーバーでも、その人はすぐにログアウトします)。"""
    from connect_books import auth
    from connect_books.errors import Refused

    path = _path(users_file, ledger)
    users = auth.read_users(path)
    if name not in users:
        known = "、".join(sorted(users)) or "なし"
        raise Refused(f"ユーザー {name} はいません ({path}、いるユーザー: {known})。")
    del users[name]
    auth.write_users(path, users)
    click.echo(
        f"✓ 監事のユーザー {name} を消しました ({path})。起動中のサーバーでもすぐにログアウトします。"
    )


@auditor_user.command("list")
@_USERS
@ledger_argument
def list_users(users_file: Path | None, ledger: str | None) -> None:
    """ユーザーの名前を表示する (パスワードのハッシュは表示しません)。"""
    from connect_books import auth

    path = _path(users_file, ledger)
    users = auth.read_users(path)
    if not users:
        click.echo(
            f"ユーザーはいません ({path})。connect-books auditor-user add 名前 で作れます。"
        )
        return
    for name in sorted(users):
        click.echo(name)
