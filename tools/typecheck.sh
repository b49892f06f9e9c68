#!/usr/bin/env bash
# Type-check the package as it is installed: connect_books, connect_books.plugins and
# connect_books.reports (setuptools' package-dir maps plugins/ and reports/ into it).
# A tree of symlinks in build/typecheck gives mypy that layout, so every call across the
# three packages is checked (a plain `mypy plugins reports` sees them as unrelated).
set -euo pipefail
cd "$(dirname "$0")/.."
tree=build/typecheck
rm -rf "$tree"
mkdir -p "$tree/connect_books"
link() { # link SRC_DIR DEST_DIR
  mkdir -p "$2"
  for f in "$1"/*.py; do ln -s "$PWD/$f" "$2/$(basename "$f")"; done
}
link connect_books "$tree/connect_books"
link connect_books/importers "$tree/connect_books/importers"
link connect_books/fava_ext "$tree/connect_books/fava_ext"
link plugins "$tree/connect_books/plugins"
link reports "$tree/connect_books/reports"
root=$PWD; cd "$tree"; OLDPWD=$root
exec "${MYPY:-$OLDPWD/.venv/bin/mypy}" --config-file ../../pyproject.toml -p connect_books "$@"
