# Set-up and the two everyday commands. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

## make demo: check the bundled books and produce the board's and the auditors' workbooks
demo: $(STAMP)
	$(BIN)/connect-books check ledger/main.beancount
	$(BIN)/bean-check ledger/main.beancount
	$(BIN)/connect-books report tie-out --year 2025 --format csv -o out/2025年度_照合.csv ledger/main.beancount
	$(BIN)/connect-books board-pack --year 2026 --as-of 2026-11-30 ledger/main.beancount
	$(BIN)/connect-books audit-pack --year 2025 ledger/main.beancount

## make test: lint (ruff), whole type checking (mypy --strict) and the whole test suite
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPY=$(CURDIR)/$(BIN)/mypy tools/typecheck.sh
	$(BIN)/python -m pytest

## make browser: Debian's chromium and its driver for the browser tests (from Debian's
## registry with apt, as root; never a downloaded browser), Japanese fonts, and tmux for
## the tests that answer connect-books add's prompts as a person would
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v tmux >/dev/null && [ -e $(CJK_FONT) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -q && apt-get install -y -q chromium chromium-driver fonts-noto-cjk tmux; \
	else echo "注意: chromium がないのでブラウザのテストは飛ばします (root で make browser)"; fi

## make bench: load-time benchmark against plain Beancount
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache ledger/.*.picklecache
