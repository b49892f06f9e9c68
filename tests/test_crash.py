"""``close-year`` killed with SIGKILL at random moments never leaves the books half-written.

On 10,000-transaction books whose 2025年度 is not yet settled (and whose settlements file
does not exist yet, so the settlement must land in two files: the new settlements file and
the ``include`` line in the main file), ``close-year`` is started as a real process and
killed at a random moment, 30 times. After each kill the next load (which finishes a write
that was decided) sees either the books exactly as before, or the settlement recorded,
included and holding. Never a settlements file that is not included.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connect_books.atomic import TEMP_SUFFIX, pending
from connect_books.books import load

ROOT = Path(__file__).resolve().parent.parent
KILLS = 30
CLOSE = ["close-year", "2025", "--date", "2026-06-20", "--audited", "2026-05-23"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    main = generate(10_000, tmp_path_factory.mktemp("books") / "ledger", seed=5)
    (main.parent / "settlements.beancount").unlink()
    main.write_text(
        main.read_text(encoding="utf-8").replace(
            'include "settlements.beancount"\n', ""
        ),
        encoding="utf-8",
    )
    return main


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and p.suffix == ".beancount"
    }


def command(main: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "connect-books"), *CLOSE, str(main)]


def test_close_year_survives_kill_9_anywhere(pristine: Path, tmp_path: Path) -> None:
    before = files_of(pristine.parent)
    # one complete run, to know how long close-year takes and what it writes
    done = tmp_path / "done" / "ledger"
    shutil.copytree(pristine.parent, done)
    start = time.monotonic()
    subprocess.run(command(done / "main.beancount"), check=True, capture_output=True)
    duration = time.monotonic() - start
    after = files_of(done)
    assert after != before and "settlements.beancount" in after
    assert load(done / "main.beancount").errors == []
    assert [e.message for e in load(pristine).errors] == [
        e.message
        for e in load(pristine).errors
        if "決算が記録されていません" in e.message
    ]

    rng = random.Random(20261129)
    outcomes = {"before": 0, "after": 0}
    for pair in range(0, KILLS, 2):  # two at a time: the machine has two cores
        runs = []
        for kill in (pair, pair + 1):
            folder = tmp_path / f"kill{kill}" / "ledger"
            shutil.copytree(pristine.parent, folder)
            process = subprocess.Popen(
                command(folder / "main.beancount"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # most of the time goes to loading; the writes come at the end
            runs.append((folder, process, rng.uniform(0.55, 1.3) * duration))
        started = time.monotonic()
        for _, process, at in sorted(runs, key=lambda run: run[2]):
            time.sleep(max(0.0, started + at - time.monotonic()))
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
        for folder, _, _ in runs:
            outcomes[outcome(folder, before, after)] += 1
            shutil.rmtree(folder.parent)
    print(outcomes, f"duration {duration:.2f}s")
    assert sum(outcomes.values()) == KILLS


def outcome(folder: Path, before: dict[str, bytes], after: dict[str, bytes]) -> str:
    """``before`` or ``after``: the only two states the books may be in after a kill.

    The files are compared byte for byte with the books before ``close-year`` and after
    a complete run (whose validity the reference run established); the load runs first,
    as every command's does, to finish a write that was decided.
    """
    if pending(folder):
        load(folder / "main.beancount")
    assert not pending(folder)
    state = files_of(folder)
    debris = [p for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX)]
    if state == before:
        # an undecided write may leave hidden temporary files: never part of the books,
        # and the next writer deletes them
        assert all(p.name.startswith(".") for p in debris)
        return "before"
    assert state == after, f"{folder}: the books are half-written"
    return "after"
