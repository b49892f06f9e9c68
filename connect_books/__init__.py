"""connect-books: 生活クラブ社会的連帯経済コネクト機構の会計帳簿."""

from __future__ import annotations

ORGANISATION = "生活クラブ社会的連帯経済コネクト機構"
