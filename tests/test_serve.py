"""``serve``: Host-header checks, read-only auditor mode, no writable Fava off loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from connect_books.cli import main
from connect_books.serve import ServeRefused, make_app


def test_foreign_host_header_is_rejected(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=False)
    client = app.test_client()
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code in (200, 302)
    assert client.get("/", headers={"Host": "localhost:5000"}).status_code in (200, 302)
    assert client.get("/", headers={"Host": "evil.example:5000"}).status_code == 400
    assert client.get("/", headers={"Host": "rebind.attacker.test"}).status_code == 400


def test_treasurer_mode_serves_the_books(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=False)
    client = app.test_client()
    page = client.get("/", headers={"Host": "127.0.0.1:5000"}, follow_redirects=True)
    assert page.status_code == 200
    assert "コネクト機構" in page.get_data(as_text=True)


def test_auditor_mode_refuses_writes(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    client = app.test_client()
    headers = {"Host": "127.0.0.1:5000"}
    slug = client.get("/", headers=headers).headers["Location"].strip("/").split("/")[0]
    assert client.get(f"/{slug}/income_statement/", headers=headers).status_code == 200
    before = sample_path.read_bytes()
    response = client.put(
        f"/{slug}/api/source",
        json={"file_path": str(sample_path), "source": "", "sha256sum": ""},
        headers=headers,
    )
    assert response.status_code == 401
    response = client.put(
        f"/{slug}/api/add_entries", json={"entries": []}, headers=headers
    )
    assert response.status_code == 401
    assert sample_path.read_bytes() == before


def test_non_loopback_needs_auditor_and_explicit_consent(sample_path: Path) -> None:
    with pytest.raises(ServeRefused, match="外に公開できません"):
        make_app(sample_path, host="192.0.2.10", auditor=False)
    with pytest.raises(ServeRefused, match="--allow-remote"):
        make_app(sample_path, host="192.0.2.10", auditor=True)
    with pytest.raises(ServeRefused, match=r"0\.0\.0\.0"):
        make_app(sample_path, host="0.0.0.0", auditor=True, allow_remote=True)
    app = make_app(sample_path, host="192.0.2.10", auditor=True, allow_remote=True)
    client = app.test_client()
    assert client.get("/", headers={"Host": "192.0.2.10:5000"}).status_code in (
        200,
        302,
    )
    assert client.get("/", headers={"Host": "localhost:5000"}).status_code == 400


def test_cli_refuses_public_writable_server(sample_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", str(sample_path), "--host", "192.0.2.10"]
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        "エラー: 192.0.2.10 はこの機械の外から届くアドレスです。"
    )
    assert "外に公開できません" in result.output


def test_cli_refuses_missing_books(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "none.beancount")])
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 帳簿ファイル")
