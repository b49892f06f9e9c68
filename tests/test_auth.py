"""The 監事's users: salted scrypt hashes in a file outside the books, made by the CLI."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from connect_books import auth
from connect_books.auth import AuthRefused, Sessions, Throttle
from connect_books.cli import main


def test_hash_is_salted_scrypt_and_verifies() -> None:
    first = auth.hash_password("correct horse battery")
    second = auth.hash_password("correct horse battery")
    assert first != second  # a random salt each time
    scheme, n, r, p, salt, key = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(salt) >= 20 and len(key) >= 40
    assert "correct horse" not in first
    assert auth.verify_password("correct horse battery", first)
    assert auth.verify_password("correct horse battery", second)
    assert not auth.verify_password("correct horse batterY", first)
    assert not auth.verify_password("", first)
    assert not auth.verify_password("correct horse battery", "plain-text")
    assert not auth.verify_password("x", "scrypt$16384$8$1$!!$??")


def test_authenticate_knows_names_and_passwords() -> None:
    users = {"yamada": auth.hash_password("yamada-no-password")}
    assert auth.authenticate(users, "yamada", "yamada-no-password")
    assert not auth.authenticate(users, "yamada", "wrong-password")
    assert not auth.authenticate(users, "tanaka", "yamada-no-password")


def add_user(
    users: Path, name: str, password: str, confirm: str | None = None
) -> Result:
    return CliRunner().invoke(
        main,
        ["auditor-user", "add", name, "--users", str(users)],
        input=f"{password}\n{confirm if confirm is not None else password}\n",
    )


def test_cli_adds_a_user_with_a_prompted_password(tmp_path: Path) -> None:
    users = tmp_path / "config" / "auditors"
    result = add_user(users, "yamada", "kansa-2025-secret")
    assert result.exit_code == 0, result.output
    assert "✓ 監事のユーザー yamada を作りました" in result.output
    assert "kansa-2025-secret" not in result.output
    text = users.read_text()
    assert "kansa-2025-secret" not in text
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    loaded = auth.read_users(users)
    assert list(loaded) == ["yamada"]
    assert auth.verify_password("kansa-2025-secret", loaded["yamada"])

    changed = add_user(users, "yamada", "another-long-secret")
    assert "✓ 監事のユーザー yamada のパスワードを変更しました" in changed.output
    assert auth.verify_password("another-long-secret", auth.read_users(users)["yamada"])
    listed = CliRunner().invoke(main, ["auditor-user", "list", "--users", str(users)])
    assert listed.output == "yamada\n"
    removed = CliRunner().invoke(
        main, ["auditor-user", "remove", "yamada", "--users", str(users)]
    )
    assert removed.exit_code == 0 and auth.read_users(users) == {}


def test_cli_refuses_short_or_mismatched_passwords_and_bad_names(
    tmp_path: Path,
) -> None:
    users = tmp_path / "auditors"
    short = add_user(users, "yamada", "short")
    assert short.exit_code == 1
    assert "エラー: パスワードは 10 文字以上にしてください。" in short.output
    assert not users.exists()
    mismatch = add_user(users, "yamada", "kansa-2025-secret", "kansa-2025-secreT")
    assert mismatch.exit_code == 1
    assert "エラー: 二回入力したパスワードが違います" in mismatch.output
    assert "Error" not in mismatch.output
    assert not users.exists()
    bad = add_user(users, "yamada:admin", "kansa-2025-secret")
    assert bad.exit_code == 1
    assert "ユーザー名 'yamada:admin' は使えません" in bad.output


def test_password_is_never_an_argument(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["auditor-user", "add", "yamada", "--password", "x" * 12],
    )
    assert result.exit_code == 2
    assert "オプション --password はありません" in result.output


def test_users_file_inside_the_books_is_refused(
    tmp_path: Path, sample_path: Path
) -> None:
    books = tmp_path / "repo" / "ledger"
    shutil.copytree(sample_path.parent, books)
    (tmp_path / "repo" / ".git").mkdir()
    ledger = str(books / "main.beancount")
    for inside in (books / "auditors", tmp_path / "repo" / "auditors"):
        result = CliRunner().invoke(
            main,
            ["auditor-user", "add", "yamada", "--users", str(inside), ledger],
            input="kansa-2025-secret\nkansa-2025-secret\n",
        )
        assert result.exit_code == 1
        assert "帳簿のフォルダ" in result.output and "の中にあります" in result.output
        assert not inside.exists()


def test_default_users_file_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(auth.USERS_ENV, str(tmp_path / "kansa"))
    assert auth.default_users_file() == tmp_path / "kansa"
    monkeypatch.delenv(auth.USERS_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert auth.default_users_file() == tmp_path / "xdg" / "connect-books" / "auditors"


def test_a_users_file_others_can_change_is_refused(tmp_path: Path) -> None:
    users = tmp_path / "auditors"
    auth.write_users(users, {"yamada": auth.hash_password("kansa-2025-secret")})
    users.chmod(0o664)
    with pytest.raises(AuthRefused, match="ほかの利用者も書き換えられます"):
        auth.read_users(users)
    users.chmod(0o600)
    users.write_text("yamada:plaintext\n")
    with pytest.raises(AuthRefused, match=r"auditors:1: 読めない行です"):
        auth.read_users(users)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_doubles_the_wait_after_each_failure() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    waits = []
    for _ in range(10):
        assert throttle.wait("addr:x") <= 0
        throttle.failed("addr:x")
        wait = throttle.wait("addr:x")
        waits.append(wait)
        clock.now += max(wait, 0)
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert throttle.wait("addr:y") <= 0  # other keys are not slowed
    throttle.succeeded("addr:x")
    assert throttle.wait("addr:x") <= 0


def test_sessions_are_random_and_end() -> None:
    clock = Clock()
    sessions = Sessions(clock=clock)
    token = sessions.start("yamada")
    assert len(token) >= 40 and "yamada" not in token
    assert sessions.start("yamada") != token
    assert sessions.user(token) == "yamada"
    assert sessions.user("forged") is None
    clock.now += sessions.idle + 1
    assert sessions.user(token) is None
    again = sessions.start("yamada")
    sessions.end(again)
    assert sessions.user(again) is None


def test_the_books_folder_may_be_named_as_serve_takes_it(
    tmp_path: Path, sample_path: Path
) -> None:
    """``auditor-user add NAME ledger`` (the folder) accepts a users file beside it,
    as ``serve ledger`` does, and still refuses one inside it."""
    books = tmp_path / "office" / "ledger"
    shutil.copytree(sample_path.parent, books)
    for users, code in ((tmp_path / "office" / "auditors", 0), (books / "auditors", 1)):
        result = CliRunner().invoke(
            main,
            ["auditor-user", "add", "yamada", "--users", str(users), str(books)],
            input="kansa-2025-secret\nkansa-2025-secret\n",
        )
        assert result.exit_code == code, result.output
